package dev.baton.benchmarks;

import dev.baton.testkit.MutualExclusionChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Item 3: {@code clients} clients, each with its own session and thread, loop acquire / critical
 * section / release on one lock for a fixed time. Every critical section is entered in a {@link
 * MutualExclusionChecker}; its violations and overlaps, and any failed acquire, are correctness
 * counters. Stateless apart from its size.
 */
final class Contended implements Scenario {

  private final int clients;

  Contended(int clients) {
    this.clients = clients;
  }

  @Override
  public String name() {
    return "3 contended lock (" + clients + ")";
  }

  @Override
  public void round(Sys system, Env env, Tally tally, boolean warmUp) throws Exception {
    String path = "/bench/contended/" + system.label();
    List<LockHandle> locks = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      locks.add(LockHandle.of(system, env.client(system), path));
    }
    MutualExclusionChecker checker = new MutualExclusionChecker();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long end = System.nanoTime() + Timing.roundNanos(env, warmUp);
      long t0 = System.nanoTime();
      List<Future<?>> runs = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        LockHandle lock = locks.get(c);
        String holder = system.label() + "-" + c;
        runs.add(pool.submit(() -> loop(lock, holder, end, checker, tally)));
      }
      for (Future<?> f : runs) {
        f.get();
      }
      tally.elapsed("run", System.nanoTime() - t0);
    } finally {
      pool.shutdownNow();
    }
    tally.count("violations", checker.violations());
    tally.count("overlaps", checker.overlaps().size());
  }

  private static Void loop(
      LockHandle lock, String holder, long end, MutualExclusionChecker checker, Tally tally) {
    while (System.nanoTime() < end) {
      long s = System.nanoTime();
      try {
        lock.acquire();
      } catch (Exception e) {
        tally.count("failures", 1);
        continue;
      }
      tally.samples("wait").add(System.nanoTime() - s);
      MutualExclusionChecker.Section section = checker.enter(holder);
      tally.count("grants", 1);
      section.close();
      try {
        lock.release();
      } catch (Exception e) {
        tally.count("failures", 1);
      }
    }
    return null;
  }

  @Override
  public List<Metric> report(Sys system, Tally t) {
    String n = name();
    Samples w = t.samples("wait");
    return List.of(
        new Metric(
            n,
            "acquisitions/s",
            system,
            t.rate("grants", "run"),
            "ops/s",
            Better.HIGHER,
            clients + " sessions, one thread each"),
        new Metric(n, "wait p50", system, w.percentileMillis(50), "ms", Better.LOWER, ""),
        new Metric(n, "wait p99", system, w.percentileMillis(99), "ms", Better.LOWER, ""),
        new Metric(
            n,
            "mutual-exclusion violations",
            system,
            t.counter("violations") + t.counter("overlaps"),
            "count",
            Better.ZERO,
            "testkit MutualExclusionChecker: entries while another holder was inside + overlapping intervals"),
        new Metric(
            n,
            "failed acquires/releases",
            system,
            t.counter("failures"),
            "count",
            Better.ZERO,
            ""));
  }
}
