package dev.baton.benchmarks;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How big a run is. Immutable.
 *
 * @param quick the CI smoke: tiny sizes, a few seconds per scenario
 * @param connect an existing ensemble to use instead of starting one
 * @param timed how long each timed round runs (uncontended, contended, floor)
 * @param handoffs handoffs per round
 * @param herdWaiters the waiter counts of the herd scenario
 * @param scaleWaiters waiters of the async scale scenario
 */
record Config(
    boolean quick,
    Optional<String> connect,
    Duration timed,
    int handoffs,
    int[] herdWaiters,
    int scaleWaiters) {

  Config {
    Objects.requireNonNull(connect, "connect");
    if (timed.isNegative() || timed.isZero()) {
      throw new IllegalArgumentException("timed round must be positive, not " + timed);
    }
    if (handoffs < 1 || scaleWaiters < 1 || herdWaiters.length == 0) {
      throw new IllegalArgumentException("sizes must be positive");
    }
    herdWaiters = herdWaiters.clone();
  }

  /** The full run (issue 6 sizes). */
  static Config defaults() {
    return new Config(
        false, Optional.empty(), Duration.ofSeconds(8), 300, new int[] {50, 1000}, 10_000);
  }

  /** The CI smoke. */
  static Config quickRun() {
    return new Config(true, Optional.empty(), Duration.ofSeconds(1), 20, new int[] {5, 20}, 100);
  }

  Config withConnect(String connectString) {
    return new Config(
        quick, Optional.of(connectString), timed, handoffs, herdWaiters, scaleWaiters);
  }

  /**
   * Parses {@code [--quick] [--connect host:port,...]}.
   *
   * @throws IllegalArgumentException on anything else
   */
  static Config parse(String... args) {
    Config c = defaults();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> c = quickRun().with(c.connect);
        case "--connect" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--connect needs host:port[,host:port...]");
          }
          c = c.withConnect(args[++i]);
        }
        case "" -> {}
        default ->
            throw new IllegalArgumentException(
                "unknown argument '" + args[i] + "'; usage: [--quick] [--connect host:port,...]");
      }
    }
    return c;
  }

  private Config with(Optional<String> connectString) {
    return new Config(quick, connectString, timed, handoffs, herdWaiters, scaleWaiters);
  }

  @Override
  public int[] herdWaiters() {
    return herdWaiters.clone();
  }
}
