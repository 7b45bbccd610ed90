package dev.baton.benchmarks;

/** Round lengths. Stateless. */
final class Timing {

  private Timing() {}

  /** A timed round's length in nanoseconds; warm-up rounds run a quarter of it. */
  static long roundNanos(Env env, boolean warmUp) {
    long nanos = env.config().timed().toNanos();
    return warmUp ? nanos / 4 : nanos;
  }
}
