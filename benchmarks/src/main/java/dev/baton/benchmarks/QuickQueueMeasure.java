package dev.baton.benchmarks;

import dev.baton.core.Baton;
import dev.baton.core.Codec;
import dev.baton.queue.Delivery;
import dev.baton.queue.WorkQueue;
import dev.baton.testkit.Backend;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick measurement of Baton's work queue on a 3-server ensemble of child processes: items/s for
 * put, take (take + ack) and end to end (producers and consumers at once), at 1x1 and 4x4 producers
 * x consumers, each client with its own session, small (16-byte) items, blocking calls (one item in
 * flight per client). Counts lost and duplicated items.
 *
 * <p>Run: {@code mvn -B -q install -DskipTests && mvn -B -q -pl benchmarks exec:java
 * -Dexec.mainClass=dev.baton.benchmarks.QuickQueueMeasure [-Dexec.args=ITEMS]}
 */
public final class QuickQueueMeasure {

  private QuickQueueMeasure() {}

  public static void main(String[] args) throws Exception {
    int items = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    try (ZooKeeperEnsemble zk =
        ZooKeeperEnsemble.builder().size(3).backend(Backend.PROCESS).start()) {
      System.out.printf(
          "ensemble: 3 child-process servers, started in %d ms%n", zk.startTime().toMillis());
      run(zk, "warm-up", 1, 1, 300);
      run(zk, "1x1", 1, 1, items);
      run(zk, "4x4", 4, 4, items);
    }
  }

  private static void run(
      ZooKeeperEnsemble zk, String name, int producers, int consumers, int items) throws Exception {
    String path = "/bench/queue-" + name;
    List<Baton> clients = new ArrayList<>();
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      List<WorkQueue<String>> ps = new ArrayList<>();
      List<WorkQueue<String>> cs = new ArrayList<>();
      for (int i = 0; i < producers; i++) {
        Baton b = Baton.connect(zk.connectString());
        clients.add(b);
        ps.add(WorkQueue.create(b, path, Codec.utf8()));
      }
      for (int i = 0; i < consumers; i++) {
        Baton b = Baton.connect(zk.connectString());
        clients.add(b);
        cs.add(WorkQueue.create(b, path, Codec.utf8()));
      }
      Set<String> seen = ConcurrentHashMap.newKeySet();
      AtomicLong duplicates = new AtomicLong();

      // put only
      double put = timed(() -> produce(pool, ps, items, "a"));
      // take only (queue full)
      double take = timed(() -> consume(pool, cs, items, seen, duplicates));
      // end to end: both at once
      double e2e =
          timed(
              () -> {
                Future<?> p = pool.submit(() -> produce(pool, ps, items, "b"));
                consume(pool, cs, items, seen, duplicates);
                p.get();
                return null;
              });
      long lost = 2L * items - seen.size();
      if (!name.equals("warm-up")) {
        System.out.printf(
            "queue %s: put %.0f items/s, take+ack %.0f items/s, end-to-end %.0f items/s (%d items"
                + " each); lost=%d duplicates=%d%n",
            name, items / put, items / take, items / e2e, items, lost, duplicates.get());
      }
      ps.forEach(WorkQueue::close);
      cs.forEach(WorkQueue::close);
    } finally {
      pool.shutdownNow();
      clients.forEach(Baton::close);
    }
  }

  private static Void produce(
      ExecutorService pool, List<WorkQueue<String>> ps, int items, String tag) throws Exception {
    List<Future<?>> fs = new ArrayList<>();
    for (int p = 0; p < ps.size(); p++) {
      WorkQueue<String> q = ps.get(p);
      int from = p;
      fs.add(
          pool.submit(
              () -> {
                for (int i = from; i < items; i += ps.size()) {
                  q.put(String.format("%s-%013d", tag, i));
                }
                return null;
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    return null;
  }

  private static Void consume(
      ExecutorService pool,
      List<WorkQueue<String>> cs,
      int items,
      Set<String> seen,
      AtomicLong duplicates)
      throws Exception {
    AtomicLong left = new AtomicLong(items);
    List<Future<?>> fs = new ArrayList<>();
    for (WorkQueue<String> q : cs) {
      fs.add(
          pool.submit(
              () -> {
                while (left.get() > 0) {
                  Optional<Delivery<String>> d = q.poll(Duration.ofMillis(200));
                  if (d.isPresent()) {
                    d.get().ack();
                    if (!seen.add(d.get().item())) {
                      duplicates.incrementAndGet();
                    }
                    left.decrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    return null;
  }

  @FunctionalInterface
  private interface Step {
    Void run() throws Exception;
  }

  private static double timed(Step step) throws Exception {
    long t0 = System.nanoTime();
    step.run();
    return (System.nanoTime() - t0) / 1e9;
  }
}
