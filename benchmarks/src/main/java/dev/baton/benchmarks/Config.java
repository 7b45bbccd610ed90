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
 * @param scaleWaiters waiters of the async scale scenario (default 2,000: see README.md for 10,000)
 * @param only run only the scenarios whose name starts with this (empty: all)
 */
record Config(
    boolean quick,
    Optional<String> connect,
    Duration timed,
    int handoffs,
    int[] herdWaiters,
    int scaleWaiters,
    String only) {

  Config {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(only, "only");
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
        false, Optional.empty(), Duration.ofSeconds(6), 300, new int[] {50, 1000}, 2_000, "");
  }

  /** The CI smoke. */
  static Config quickRun() {
    return new Config(
        true, Optional.empty(), Duration.ofSeconds(1), 20, new int[] {5, 20}, 100, "");
  }

  Config withConnect(String connectString) {
    return new Config(
        quick, Optional.of(connectString), timed, handoffs, herdWaiters, scaleWaiters, only);
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
        case "--quick" -> c = quickRun().with(c.connect).only(c.only);
        case "--connect" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--connect needs host:port[,host:port...]");
          }
          c = c.withConnect(args[++i]);
        }
        case "--only" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--only needs a scenario number, e.g. 6");
          }
          c = c.only(args[++i]);
        }
        case "--scale" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--scale needs a number of waiters, e.g. 10000");
          }
          c = c.scale(Integer.parseInt(args[++i]));
        }
        case "" -> {}
        default ->
            throw new IllegalArgumentException(
                "unknown argument '"
                    + args[i]
                    + "'; usage: [--quick] [--connect host:port,...] [--only N] [--scale WAITERS]");
      }
    }
    return c;
  }

  private Config scale(int waiters) {
    return new Config(quick, connect, timed, handoffs, herdWaiters, waiters, only);
  }

  private Config only(String prefix) {
    return new Config(quick, connect, timed, handoffs, herdWaiters, scaleWaiters, prefix);
  }

  private Config with(Optional<String> connectString) {
    return new Config(quick, connectString, timed, handoffs, herdWaiters, scaleWaiters, only);
  }

  @Override
  public int[] herdWaiters() {
    return herdWaiters.clone();
  }
}
