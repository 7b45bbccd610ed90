package dev.baton.benchmarks;

/**
 * One measured figure of one system. Immutable.
 *
 * @param scenario the metric family (one {@link Scenario})
 * @param name what was measured, e.g. "p50 latency"
 * @param system who was measured
 * @param value the figure
 * @param unit its unit ("ms", "ops/s", "count", ...)
 * @param better which direction is good
 * @param note how it was measured or counted, when the name alone does not say (may be empty)
 */
record Metric(
    String scenario,
    String name,
    Sys system,
    double value,
    String unit,
    Better better,
    String note) {

  /** The key that pairs Baton's and Curator's figure of the same metric. */
  String key() {
    return scenario + " | " + name;
  }

  boolean isCorrectnessCounter() {
    return better == Better.ZERO;
  }

  /** The one line printed for this metric. */
  String line() {
    return String.format(
        "%-28s %-34s %-9s %12s %-7s (%s)%s",
        scenario,
        name,
        system.label(),
        format(value),
        unit,
        better.text(),
        note.isEmpty() ? "" : " " + note);
  }

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return String.format("%d", (long) v);
    }
    return Math.abs(v) >= 100 ? String.format("%.0f", v) : String.format("%.2f", v);
  }
}
