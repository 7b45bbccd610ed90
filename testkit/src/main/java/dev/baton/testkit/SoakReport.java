package dev.baton.testkit;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of a {@link Soak}: its seed, the schedule it drew, and every workload's counters and
 * failed checks. {@link #toString()} is what the soak prints.
 *
 * <p>Immutable.
 *
 * @param seed replays the run: {@code Soak.builder(..).seed(seed)} with the same workloads
 * @param backend where the servers ran
 * @param schedule the faults drawn from the seed
 * @param results one per workload, then the soak's own ({@code soak}: faults applied, ephemeral
 *     nodes left)
 * @param elapsed how long the run took
 */
public record SoakReport(
    long seed,
    Backend backend,
    FaultSchedule schedule,
    List<SoakResult> results,
    Duration elapsed) {

  /** Copies the results. */
  public SoakReport {
    results = List.copyOf(results);
  }

  /** Whether every workload passed every check. */
  public boolean ok() {
    return results.stream().allMatch(SoakResult::ok);
  }

  /** Every failed check, prefixed with its workload. */
  public List<String> failures() {
    return results.stream()
        .flatMap(r -> r.failures().stream().map(f -> r.name() + ": " + f))
        .toList();
  }

  /**
   * Throws an {@link AssertionError} carrying the whole report if a check failed.
   *
   * @throws AssertionError if {@link #ok()} is false
   */
  public void assertOk() {
    if (!ok()) {
      throw new AssertionError("soak failed\n" + this);
    }
  }

  @Override
  public String toString() {
    String counters =
        results.stream().map(r -> "  " + r.summary()).collect(Collectors.joining("\n"));
    String failed =
        failures().isEmpty()
            ? ""
            : "\nfailures:\n"
                + failures().stream().map(f -> "  " + f).collect(Collectors.joining("\n"));
    return "soak seed="
        + seed
        + " backend="
        + backend.envName()
        + " elapsed="
        + elapsed.toSeconds()
        + "s faults="
        + schedule.faults().size()
        + (ok() ? " OK" : " FAILED")
        + "\nschedule:\n"
        + schedule.describe()
        + "\ncounters:\n"
        + counters
        + failed
        + "\nreplay with seed "
        + seed;
  }
}
