package dev.baton.soak;

import dev.baton.testkit.SoakResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/** Named counters and failed checks of one workload. Thread-safe: concurrent maps and adders. */
final class Counters {

  private final String name;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  private final List<String> order = new CopyOnWriteArrayList<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  Counters(String name, String... declared) {
    this.name = name;
    for (String d : declared) {
      adder(d);
    }
  }

  void inc(String counter) {
    adder(counter).increment();
  }

  void set(String counter, long value) {
    LongAdder a = adder(counter);
    a.reset();
    a.add(value);
  }

  long get(String counter) {
    return adder(counter).sum();
  }

  /** Records a failed check unless {@code counter} equals {@code expected}. */
  void expect(String counter, long expected, String detail) {
    long v = get(counter);
    if (v != expected) {
      failures.add(
          counter + "=" + v + ", expected " + expected + (detail.isEmpty() ? "" : ": " + detail));
    }
  }

  void fail(String failure) {
    failures.add(failure);
  }

  SoakResult result() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String k : order) {
      out.put(k, counts.get(k).sum());
    }
    return new SoakResult(name, out, new ArrayList<>(failures));
  }

  private LongAdder adder(String counter) {
    return counts.computeIfAbsent(
        counter,
        k -> {
          order.add(k);
          return new LongAdder();
        });
  }
}
