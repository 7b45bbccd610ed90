package dev.baton.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one system's measured rounds of one scenario add up to: named latency samples, named
 * counters and named elapsed times, each summed over rounds. Thread-safe (concurrent maps of
 * thread-safe values).
 */
final class Tally {

  private final Map<String, Samples> samples = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
  private final List<String> notes = new CopyOnWriteArrayList<>();

  /**
   * Something that happened in a round and belongs next to its figures (a limit hit, a failure).
   */
  void note(String text) {
    notes.add(text);
  }

  /** The notes, joined; empty if none. */
  String notes() {
    return String.join("; ", notes);
  }

  /** The latency samples named {@code name}. */
  Samples samples(String name) {
    return samples.computeIfAbsent(name, n -> new Samples());
  }

  /** Adds {@code delta} to the counter {@code name}. */
  void count(String name, long delta) {
    counters.computeIfAbsent(name, n -> new AtomicLong()).addAndGet(delta);
  }

  /** Adds elapsed nanoseconds to the time {@code name} (a counter in nanoseconds). */
  void elapsed(String name, long nanos) {
    count(name + ".nanos", nanos);
  }

  /** Keeps the largest value seen for {@code name}. */
  void max(String name, long value) {
    counters.computeIfAbsent(name, n -> new AtomicLong()).accumulateAndGet(value, Math::max);
  }

  long counter(String name) {
    AtomicLong v = counters.get(name);
    return v == null ? 0 : v.get();
  }

  double seconds(String name) {
    return counter(name + ".nanos") / 1e9;
  }

  /** {@code counter / seconds}, NaN if no time was recorded. */
  double rate(String counter, String time) {
    double s = seconds(time);
    return s == 0 ? Double.NaN : counter(counter) / s;
  }
}
