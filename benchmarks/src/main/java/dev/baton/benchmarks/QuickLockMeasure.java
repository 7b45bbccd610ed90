package dev.baton.benchmarks;

import dev.baton.core.Baton;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockLease;
import dev.baton.testkit.Backend;
import dev.baton.testkit.MutualExclusionChecker;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick measurement of Baton's mutex on a 3-server ensemble of child processes (the servers do
 * not share this JVM): uncontended acquire+release latency, and 8 clients with separate sessions
 * contending for one lock. Not the side-by-side benchmark of issue 6; a figure to start from.
 *
 * <p>Run: {@code mvn -B -q install -DskipTests && mvn -B -q -pl benchmarks exec:java
 * -Dexec.mainClass=dev.baton.benchmarks.QuickLockMeasure [-Dexec.args=SECONDS]}
 */
public final class QuickLockMeasure {

  private QuickLockMeasure() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    try (ZooKeeperEnsemble zk =
        ZooKeeperEnsemble.builder().size(3).backend(Backend.PROCESS).start()) {
      System.out.printf(
          "ensemble: 3 child-process servers (forceSync=no, tick 200 ms), started in %d ms%n",
          zk.startTime().toMillis());
      uncontended(zk, seconds);
      contended(zk, seconds, 8);
    }
  }

  private static void uncontended(ZooKeeperEnsemble zk, int seconds) throws Exception {
    try (Baton baton = Baton.connect(zk.connectString())) {
      DistributedLock lock = DistributedLock.create(baton, "/bench/uncontended");
      for (int i = 0; i < 300; i++) { // warm-up
        lock.acquire(Duration.ofSeconds(10)).release().get();
      }
      List<Long> nanos = new ArrayList<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      long t0 = System.nanoTime();
      while (System.nanoTime() < end) {
        long s = System.nanoTime();
        lock.acquire(Duration.ofSeconds(10)).release().get();
        nanos.add(System.nanoTime() - s);
      }
      double elapsed = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "uncontended acquire+release (release awaited): n=%d p50=%.2f ms p99=%.2f ms, %.0f ops/s%n",
          nanos.size(), pct(nanos, 50), pct(nanos, 99), nanos.size() / elapsed);
    }
  }

  private static void contended(ZooKeeperEnsemble zk, int seconds, int clients) throws Exception {
    MutualExclusionChecker checker = new MutualExclusionChecker();
    List<Baton> batons = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Long> waits = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicLong grants = new AtomicLong();
    try {
      List<Future<?>> runs = new ArrayList<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      for (int c = 0; c < clients; c++) {
        Baton b = Baton.connect(zk.connectString());
        batons.add(b);
        DistributedLock lock = DistributedLock.create(b, "/bench/contended");
        String name = "client-" + c;
        runs.add(
            pool.submit(
                () -> {
                  while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    try (LockLease lease = lock.acquire(Duration.ofSeconds(30));
                        MutualExclusionChecker.Section section = checker.enter(name)) {
                      waits.add(System.nanoTime() - s);
                      grants.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      long t0 = System.nanoTime();
      for (Future<?> f : runs) {
        f.get();
      }
      double elapsed = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "contended, %d clients: %.0f acquisitions/s, wait p50=%.2f ms p99=%.2f ms,"
              + " mutual-exclusion violations=%d, overlaps=%d%n",
          clients,
          grants.get() / elapsed,
          pct(waits, 50),
          pct(waits, 99),
          checker.violations(),
          checker.overlaps().size());
    } finally {
      pool.shutdownNow();
      batons.forEach(Baton::close);
    }
  }

  private static double pct(List<Long> nanos, int p) {
    long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    return a.length == 0
        ? 0
        : a[Math.min(a.length - 1, (int) Math.ceil(p / 100.0 * a.length) - 1)] / 1e6;
  }
}
