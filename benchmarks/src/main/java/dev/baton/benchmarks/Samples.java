package dev.baton.benchmarks;

import java.util.Arrays;

/** Latency samples in nanoseconds, growing as needed. Thread-safe (synchronized, never blocks). */
final class Samples {

  private long[] values = new long[1024];
  private int size;

  synchronized void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  synchronized int size() {
    return size;
  }

  synchronized long[] snapshot() {
    return Arrays.copyOf(values, size);
  }

  /** The {@code p}th percentile (nearest rank) in milliseconds; NaN when empty. */
  double percentileMillis(double p) {
    long[] a = snapshot();
    if (a.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(a);
    int rank = (int) Math.ceil(p / 100.0 * a.length);
    return a[Math.max(0, Math.min(a.length - 1, rank - 1))] / 1e6;
  }
}
