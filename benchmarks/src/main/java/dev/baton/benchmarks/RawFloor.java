package dev.baton.benchmarks;

import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Item 1: the floor. The plain ZooKeeper client does what an uncontended lock must at least do,
 * create(ephemeral-sequential) + getChildren + delete, serially (latency) and pipelined with
 * {@value #WINDOW} cycles in flight (throughput): no lock can beat these figures. Stateless.
 */
final class RawFloor implements Scenario {

  static final int WINDOW = 32;
  private static final String PATH = "/bench/floor";

  @Override
  public String name() {
    return "1 zookeeper floor";
  }

  @Override
  public List<Sys> systems() {
    return List.of(Sys.ZOOKEEPER);
  }

  @Override
  public void round(Sys system, Env env, Tally tally, boolean warmUp) throws Exception {
    env.ensurePath(PATH);
    ZooKeeper zk = env.zooKeeper();
    long nanos = Timing.roundNanos(env, warmUp);
    long end = System.nanoTime() + nanos;
    long t0 = System.nanoTime();
    long n = 0;
    while (System.nanoTime() < end) {
      long s = System.nanoTime();
      String node =
          zk.create(
              PATH + "/c-",
              new byte[0],
              ZooDefs.Ids.OPEN_ACL_UNSAFE,
              CreateMode.EPHEMERAL_SEQUENTIAL);
      zk.getChildren(PATH, false);
      zk.delete(node, -1);
      tally.samples("cycle").add(System.nanoTime() - s);
      n++;
    }
    tally.count("serial", n);
    tally.elapsed("serial", System.nanoTime() - t0);
    pipelined(zk, nanos, tally);
  }

  /** Keeps {@link #WINDOW} cycles in flight on the async API for {@code nanos}. */
  private static void pipelined(ZooKeeper zk, long nanos, Tally tally) throws Exception {
    Semaphore window = new Semaphore(WINDOW);
    AtomicLong done = new AtomicLong();
    AtomicReference<Object> failure = new AtomicReference<>();
    long t0 = System.nanoTime();
    long end = t0 + nanos;
    while (System.nanoTime() < end && failure.get() == null) {
      window.acquire();
      zk.create(
          PATH + "/p-",
          new byte[0],
          ZooDefs.Ids.OPEN_ACL_UNSAFE,
          CreateMode.EPHEMERAL_SEQUENTIAL,
          (rc, path, ctx, name) -> {
            if (rc != 0) {
              failure.set(KeeperException.Code.get(rc));
              window.release();
              return;
            }
            zk.getChildren(
                PATH,
                false,
                (rc2, p2, c2, children) ->
                    zk.delete(
                        name,
                        -1,
                        (rc3, p3, c3) -> {
                          if (rc2 != 0 || rc3 != 0) {
                            failure.set(KeeperException.Code.get(rc2 != 0 ? rc2 : rc3));
                          }
                          done.incrementAndGet();
                          window.release();
                        },
                        null),
                null);
          },
          null);
    }
    if (!window.tryAcquire(WINDOW, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("pipelined cycles did not finish");
    }
    long elapsed = System.nanoTime() - t0;
    if (failure.get() != null) {
      throw new IllegalStateException("pipelined cycle failed: " + failure.get());
    }
    tally.count("pipelined", done.get());
    tally.elapsed("pipelined", elapsed);
  }

  @Override
  public List<Metric> report(Sys system, Tally t) {
    String n = name();
    String how = "create(ephemeral-sequential)+getChildren+delete";
    return List.of(
        new Metric(
            n,
            "cycle p50",
            system,
            t.samples("cycle").percentileMillis(50),
            "ms",
            Better.LOWER,
            how),
        new Metric(
            n,
            "cycle p99",
            system,
            t.samples("cycle").percentileMillis(99),
            "ms",
            Better.LOWER,
            ""),
        new Metric(
            n, "serial cycles/s", system, t.rate("serial", "serial"), "ops/s", Better.HIGHER, ""),
        new Metric(
            n,
            "pipelined cycles/s",
            system,
            t.rate("pipelined", "pipelined"),
            "ops/s",
            Better.HIGHER,
            WINDOW + " cycles in flight, one client"));
  }
}
