package dev.baton.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Collects metrics, prints one line per metric and system as they come in, and the Baton/Curator
 * ratio table at the end. Thread-safe (synchronized; printing never blocks on anything but the
 * stream).
 */
final class Results {

  /** Ratios within this band of 1 count as "par" (noise on a shared machine). */
  static final double PAR = 0.05;

  private final PrintStream out;
  private final List<Metric> metrics = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  Results(PrintStream out) {
    this.out = out;
  }

  synchronized void add(Metric m) {
    metrics.add(m);
    out.println(m.line());
    out.flush();
  }

  /** A remark printed now and again under the table (how something was counted, what failed). */
  synchronized void note(String text) {
    notes.add(text);
    out.println("  note: " + text);
  }

  /** A progress line (not a metric). */
  synchronized void progress(String text) {
    out.println("# " + text);
    out.flush();
  }

  synchronized List<Metric> metrics() {
    return List.copyOf(metrics);
  }

  /** Correctness counters (violations, failures) that are not zero. */
  synchronized List<Metric> correctnessFailures() {
    return metrics.stream().filter(m -> m.isCorrectnessCounter() && m.value() != 0).toList();
  }

  synchronized Optional<Metric> find(String key, Sys system) {
    return metrics.stream().filter(m -> m.key().equals(key) && m.system() == system).findFirst();
  }

  /** Prints the ratio table: one row per metric, Baton / Curator, and who leads. */
  synchronized void printTable() {
    Map<String, Metric> firstByKey = new LinkedHashMap<>();
    metrics.forEach(m -> firstByKey.putIfAbsent(m.key(), m));
    out.println();
    out.println(
        "| scenario | metric | unit | better | zookeeper | baton | curator | baton/curator | verdict |");
    out.println("|---|---|---|---|---:|---:|---:|---:|---|");
    for (Map.Entry<String, Metric> e : firstByKey.entrySet()) {
      Metric any = e.getValue();
      double zk = value(e.getKey(), Sys.ZOOKEEPER);
      double b = value(e.getKey(), Sys.BATON);
      double c = value(e.getKey(), Sys.CURATOR);
      double ratio = (Double.isNaN(b) || Double.isNaN(c) || c == 0) ? Double.NaN : b / c;
      out.printf(
          "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
          e.getKey(),
          any.unit(),
          any.better().text(),
          cell(zk),
          cell(b),
          cell(c),
          Double.isNaN(ratio) ? "" : String.format("%.2f", ratio),
          verdict(any.better(), b, c, ratio));
    }
    if (!notes.isEmpty()) {
      out.println();
      notes.forEach(n -> out.println("- " + n));
    }
    out.flush();
  }

  private double value(String key, Sys s) {
    return find(key, s).map(Metric::value).orElse(Double.NaN);
  }

  private static String cell(double v) {
    return Double.isNaN(v) ? "" : Metric.format(v);
  }

  static String verdict(Better better, double b, double c, double ratio) {
    if (better == Better.ZERO) {
      boolean ok = (Double.isNaN(b) || b == 0) && (Double.isNaN(c) || c == 0);
      return ok ? "ok" : "VIOLATION";
    }
    if (Double.isNaN(ratio) || better == Better.NONE) {
      return "";
    }
    if (Math.abs(ratio - 1) <= PAR) {
      return "par";
    }
    boolean leads = better == Better.LOWER ? ratio < 1 : ratio > 1;
    return leads ? "Baton leads" : "Baton trails";
  }
}
