package dev.baton.benchmarks;

import java.util.List;

/**
 * One metric family, measured for each of its systems on the same ensemble. The {@link Runner}
 * warms each system up once, then runs {@link #rounds} measured rounds, alternating which system
 * goes first, and asks for the figures at the end. A new family (queue, watch cache, barrier) is
 * one more implementation.
 *
 * <p>Implementations may keep no state between calls other than configuration.
 */
interface Scenario {

  /** Short name printed in front of every metric line, e.g. "2 uncontended lock". */
  String name();

  /** The systems measured, by default Baton and Curator. */
  default List<Sys> systems() {
    return List.of(Sys.BATON, Sys.CURATOR);
  }

  /** Measured rounds per system (alternating). */
  default int rounds(Config config) {
    return config.quick() ? 1 : 3;
  }

  /** Whether to run one discarded round per system first. */
  default boolean warmUp() {
    return true;
  }

  /**
   * One round for {@code system}, adding what it measures to {@code tally}.
   *
   * @param warmUp the round is discarded; keep it short
   */
  void round(Sys system, Env env, Tally tally, boolean warmUp) throws Exception;

  /** The figures of {@code system} once all its rounds are in {@code tally}. */
  List<Metric> report(Sys system, Tally tally);
}
