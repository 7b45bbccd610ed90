package dev.baton.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Item 7: work queue throughput at {@code producers} x {@code consumers}, each producer and
 * consumer its own client (session) and thread, small (16-byte) items, blocking calls. Three phases
 * per round: put only (consumers not started), take only (the queue holds every item), end to end
 * (both at once). Every item taken is checked off: items never taken (lost) and items taken twice
 * (duplicates) are correctness counters. Baton's {@code WorkQueue} (poll, then ack) is measured
 * against Curator's {@code DistributedQueue} with a lock path (its at-least-once mode: the item is
 * deleted after the consumer returns) and {@code SimpleDistributedQueue} (offer / poll, which
 * deletes on take: at most once). The Curator round runs both. Stateless apart from its size.
 */
final class QueueBench implements Scenario {

  /** A phase gives up when no new item arrived for this long; the rest counts as lost. */
  static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(15);

  private static final String DQ = "DistributedQueue";
  private static final String SDQ = "SimpleDistributedQueue";

  private final int producers;
  private final int consumers;

  QueueBench(int producers, int consumers) {
    this.producers = producers;
    this.consumers = consumers;
  }

  @Override
  public String name() {
    return "7 queue " + producers + "x" + consumers;
  }

  private int items(Env env, boolean warmUp) {
    int n = env.config().quick() ? 12 : 300;
    return warmUp ? Math.max(4, n / 4) : n;
  }

  @Override
  public void round(Sys system, Env env, Tally tally, boolean warmUp) throws Exception {
    String base = "/bench/queue/" + system.label() + "-" + System.nanoTime();
    int n = items(env, warmUp);
    if (system == Sys.BATON) {
      measure(new QueueKinds.BatonKind(env, base + "/w"), n, tally, "baton.");
    } else {
      measure(new QueueKinds.DqKind(env, base + "/dq"), n, tally, "dq.");
      measure(new QueueKinds.SdqKind(env, base + "/sdq"), n, tally, "sdq.");
    }
  }

  private void measure(QueueKinds.Kind kind, int n, Tally tally, String prefix) throws Exception {
    List<QueueKinds.Putter> ps = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      ps.add(kind.producer());
    }
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      long t0 = System.nanoTime();
      produce(pool, ps, n, "a");
      tally.elapsed(prefix + "put", System.nanoTime() - t0);
      tally.count(prefix + "put.items", n);

      Ledger ledger = new Ledger(n);
      t0 = System.nanoTime();
      try (AutoCloseable c = kind.consumers(consumers, ledger::taken)) {
        ledger.await();
        settle(kind, tally);
        tally.elapsed(prefix + "take", System.nanoTime() - t0);
      }
      ledger.addTo(tally, prefix);

      Ledger e2e = new Ledger(n);
      t0 = System.nanoTime();
      try (AutoCloseable c = kind.consumers(consumers, e2e::taken)) {
        Future<?> put = pool.submit(() -> produce(pool, ps, n, "b"));
        e2e.await();
        put.get();
        settle(kind, tally);
        tally.elapsed(prefix + "e2e", System.nanoTime() - t0);
      }
      e2e.addTo(tally, prefix);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void settle(QueueKinds.Kind kind, Tally tally) throws Exception {
    if (!kind.settled()) {
      tally.note(
          "items or lock nodes still on the servers "
              + IDLE_NANOS / 1_000_000_000
              + " s after the last take");
    }
  }

  private static Void produce(ExecutorService pool, List<QueueKinds.Putter> ps, int n, String tag)
      throws Exception {
    List<Future<?>> fs = new ArrayList<>();
    for (int p = 0; p < ps.size(); p++) {
      QueueKinds.Putter q = ps.get(p);
      int from = p;
      fs.add(
          pool.submit(
              () -> {
                for (int i = from; i < n; i += ps.size()) {
                  q.put(String.format("%s-%014d", tag, i));
                }
                return null;
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    return null;
  }

  /** Checks items off; thread-safe. */
  private static final class Ledger {
    private final int expected;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicLong duplicates = new AtomicLong();
    private volatile long lastProgress = System.nanoTime();

    Ledger(int expected) {
      this.expected = expected;
    }

    void taken(String item) {
      if (seen.add(item)) {
        lastProgress = System.nanoTime();
      } else {
        duplicates.incrementAndGet();
      }
    }

    void await() throws InterruptedException {
      while (seen.size() < expected && System.nanoTime() - lastProgress < IDLE_NANOS) {
        Thread.sleep(1);
      }
    }

    void addTo(Tally tally, String prefix) {
      tally.count(prefix + "lost", expected - seen.size());
      tally.count(prefix + "duplicates", duplicates.get());
    }
  }

  @Override
  public List<Metric> report(Sys system, Tally t) {
    List<Metric> out = new ArrayList<>();
    if (system == Sys.BATON) {
      figures(out, system, t, "baton.", "", "WorkQueue: put; poll + ack");
      figures(out, system, t, "baton.", " vs " + SDQ, "Baton's figure again, paired with " + SDQ);
    } else {
      figures(out, system, t, "dq.", "", DQ + " with lockPath, putInBackground(false)");
      figures(out, system, t, "sdq.", " vs " + SDQ, SDQ + ": offer; poll (deletes on take)");
    }
    return out;
  }

  private void figures(
      List<Metric> out, Sys system, Tally t, String prefix, String suffix, String how) {
    String n = name();
    String who = producers + " producers x " + consumers + " consumers, own sessions; " + how;
    out.add(
        metric(
            n,
            "put items/s" + suffix,
            system,
            t.rate(prefix + "put.items", prefix + "put"),
            t.notes().isEmpty() ? who : who + " (" + t.notes() + ")"));
    out.add(
        metric(
            n, "take items/s" + suffix, system, t.rate(prefix + "put.items", prefix + "take"), ""));
    out.add(
        metric(
            n,
            "end-to-end items/s" + suffix,
            system,
            t.rate(prefix + "put.items", prefix + "e2e"),
            ""));
    if (system == Sys.CURATOR || suffix.isEmpty()) {
      out.add(counter(n, "lost items" + suffix, system, t.counter(prefix + "lost")));
      out.add(counter(n, "duplicate items" + suffix, system, t.counter(prefix + "duplicates")));
    }
  }

  private static Metric metric(String n, String name, Sys s, double v, String note) {
    return new Metric(n, name, s, v, "items/s", Better.HIGHER, note);
  }

  /**
   * Lost and duplicated items must be 0 for Baton. For Curator a non-zero count is reported as
   * measured but marked informational (its queues promise less), so it does not fail the run.
   */
  static Metric counter(String n, String name, Sys s, long v) {
    if (s == Sys.CURATOR && v != 0) {
      return new Metric(
          n, name, s, v, "count", Better.NONE, "informational for Curator: not a Baton defect");
    }
    return new Metric(n, name, s, v, "count", Better.ZERO, "");
  }
}
