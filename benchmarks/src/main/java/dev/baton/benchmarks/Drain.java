package dev.baton.benchmarks;

import dev.baton.core.Baton;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockLease;
import dev.baton.testkit.MutualExclusionChecker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;

/**
 * Items 5 and 6: one holder (own session) holds a lock while {@code waiters} contenders of one
 * other client queue behind it; then the holder releases and the queue drains, each waiter
 * releasing as soon as it is granted. Baton queues its waiters with {@code acquireAsync} (no thread
 * each); Curator, whose {@code InterProcessMutex.acquire} blocks, with one thread per waiter (one
 * mutex instance per thread, so waiters watch different nodes, as separate processes would).
 *
 * <p>{@link Kind#HERD} puts the waiters' client behind a {@link WireCounter} and reports watch
 * notifications and requests per release; {@link Kind#SCALE} connects directly and reports the
 * platform threads it took and the time to drain. Both check mutual exclusion while draining.
 * Stateless apart from its configuration.
 */
final class Drain implements Scenario {

  /** Which figures a drain reports. */
  enum Kind {
    HERD,
    /** Curator only: all waiter threads share one InterProcessMutex, as threads of one process. */
    HERD_SHARED,
    SCALE
  }

  /** Stack size of Curator's waiter threads: small, so that thousands fit. */
  static final long WAITER_STACK = 256 * 1024;

  private final Kind kind;
  private final int waiters;

  Drain(Kind kind, int waiters) {
    this.kind = kind;
    this.waiters = waiters;
  }

  @Override
  public String name() {
    return switch (kind) {
      case HERD -> "5 herd, " + waiters + " waiters";
      case HERD_SHARED -> "5 herd, " + waiters + " waiters, shared mutex";
      case SCALE -> "6 async scale, " + waiters + " waiters";
    };
  }

  @Override
  public List<Sys> systems() {
    return kind == Kind.HERD_SHARED ? List.of(Sys.CURATOR) : Scenario.super.systems();
  }

  @Override
  public int rounds(Config config) {
    return 1;
  }

  @Override
  public boolean warmUp() {
    return false;
  }

  @Override
  public void round(Sys system, Env env, Tally tally, boolean warmUp) throws Exception {
    String path =
        "/bench/drain-" + kind.name().toLowerCase() + "-" + waiters + "/" + system.label();
    WireCounter wire = null;
    String cs = env.connectString();
    if (kind != Kind.SCALE) {
      wire = new WireCounter(env.firstServer());
      env.closeAtEndOfRound(wire);
      cs = wire.connectString();
    }
    Queue q =
        system == Sys.BATON
            ? new BatonQueue(env, cs, path)
            : new CuratorQueue(env, cs, path, kind == Kind.HERD_SHARED);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    int baseThreads = mx.getThreadCount();
    mx.resetPeakThreadCount();
    MutualExclusionChecker checker = new MutualExclusionChecker();
    long t0 = System.nanoTime();
    int queued = q.enqueue(waiters, checker, tally);
    if (queued < waiters) {
      tally.count("queued", queued);
      tally.count("stopped", 1);
      q.abandon();
      tally.max("threads", mx.getPeakThreadCount() - baseThreads);
      return;
    }
    env.awaitChildren(path, waiters + 1, Env.LONG);
    tally.elapsed("enqueue", System.nanoTime() - t0);
    long r0 = wire == null ? 0 : wire.requests();
    long n0 = wire == null ? 0 : wire.notifications();
    long d0 = System.nanoTime();
    q.releaseHolderAndDrain();
    tally.elapsed("drain", System.nanoTime() - d0);
    tally.max("threads", mx.getPeakThreadCount() - baseThreads);
    tally.count("queued", queued);
    if (wire != null) {
      tally.count("requests", wire.requests() - r0);
      tally.count("notifications", wire.notifications() - n0);
    }
    tally.count("violations", checker.violations() + checker.overlaps().size());
  }

  @Override
  public List<Metric> report(Sys system, Tally t) {
    String n = name();
    List<Metric> m = new ArrayList<>();
    // every release but the last hands the lock to the next waiter
    double handoffs = Math.max(1, t.counter("queued"));
    if (kind != Kind.SCALE) {
      m.add(
          new Metric(
              n,
              "watch notifications/handoff",
              system,
              t.counter("notifications") / handoffs,
              "count",
              Better.LOWER,
              "frames with xid -1 on the wire between the waiters' client and its server, from the"
                  + " holder's release to the drained queue, divided by the waiters"));
      m.add(
          new Metric(
              n,
              "requests/handoff",
              system,
              t.counter("requests") / handoffs,
              "count",
              Better.LOWER,
              "waiters' client to server frames in the same window, pings excluded"));
    } else {
      m.add(
          new Metric(
              n,
              "platform threads added (peak)",
              system,
              t.counter("threads"),
              "threads",
              Better.LOWER,
              "ThreadMXBean peak minus the count before queueing"));
      m.add(
          new Metric(
              n, "time to queue all", system, t.seconds("enqueue") * 1000, "ms", Better.LOWER, ""));
      m.add(
          new Metric(
              n,
              "waiters queued",
              system,
              t.counter("queued"),
              "count",
              Better.HIGHER,
              t.counter("stopped") > 0 ? "stopped early: could not start more waiters" : ""));
    }
    m.add(
        new Metric(
            n,
            "time to drain",
            system,
            t.counter("stopped") > 0 ? Double.NaN : t.seconds("drain") * 1000,
            "ms",
            Better.LOWER,
            "holder's release until every waiter has held and released"));
    m.add(
        new Metric(
            n,
            "mutual-exclusion violations",
            system,
            t.counter("violations"),
            "count",
            Better.ZERO,
            ""));
    m.add(new Metric(n, "failed waiters", system, t.counter("failures"), "count", Better.ZERO, ""));
    return m;
  }

  /** One system's holder and waiters. Confined to the round's thread. */
  private interface Queue {
    /** Holder acquires, then {@code n} waiters start; returns how many could be started. */
    int enqueue(int n, MutualExclusionChecker checker, Tally tally) throws Exception;

    void releaseHolderAndDrain() throws Exception;

    /** Gives up after a failed enqueue (the round's clients are closed afterwards). */
    void abandon();
  }

  private static final class BatonQueue implements Queue {
    private final DistributedLock holderLock;
    private final DistributedLock waiterLock;
    private final List<CompletableFuture<Void>> granted = new ArrayList<>();
    private LockLease holder;

    BatonQueue(Env env, String waitersCs, String path) throws InterruptedException {
      holderLock = DistributedLock.create(env.baton(), path);
      Baton waitersClient = env.baton(waitersCs);
      waiterLock = DistributedLock.create(waitersClient, path);
    }

    @Override
    public int enqueue(int n, MutualExclusionChecker checker, Tally tally) throws Exception {
      holder = holderLock.acquire(Env.LONG);
      for (int i = 0; i < n; i++) {
        String name = "waiter-" + i;
        granted.add(
            waiterLock
                .acquireAsync(Env.LONG)
                .thenCompose(
                    lease -> {
                      checker.enter(name).close();
                      return lease.release();
                    })
                .whenComplete((v, e) -> tally.count("failures", e == null ? 0 : 1)));
      }
      return n;
    }

    @Override
    public void releaseHolderAndDrain() throws Exception {
      holder.release();
      CompletableFuture.allOf(granted.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null)
          .get(Env.LONG.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void abandon() {
      granted.forEach(f -> f.cancel(true));
    }
  }

  private static final class CuratorQueue implements Queue {
    private final CuratorFramework waitersClient;
    private final String path;
    private final LockHandle holder;
    private final Thread holderThread;
    private final CompletableFuture<Void> holderRelease = new CompletableFuture<>();
    private final CompletableFuture<Void> holderHolds = new CompletableFuture<>();
    private final List<Thread> threads = new ArrayList<>();

    private final InterProcessMutex shared;

    CuratorQueue(Env env, String waitersCs, String path, boolean sharedMutex)
        throws InterruptedException {
      this.path = path;
      this.holder = LockHandle.of(Sys.CURATOR, env.curator(), path);
      this.waitersClient = env.curator(waitersCs);
      this.holderThread = new Thread(this::hold, "curator-holder");
      this.shared = sharedMutex ? new InterProcessMutex(waitersClient, path) : null;
    }

    /** The holder's thread: InterProcessMutex must be released by the thread that acquired it. */
    private void hold() {
      try {
        holder.acquire();
        holderHolds.complete(null);
        holderRelease.join();
        holder.release();
      } catch (Exception e) {
        holderHolds.completeExceptionally(e);
      }
    }

    @Override
    public int enqueue(int n, MutualExclusionChecker checker, Tally tally) throws Exception {
      holderThread.start();
      holderHolds.get(Env.LONG.toSeconds(), TimeUnit.SECONDS);
      for (int i = 0; i < n; i++) {
        String name = "waiter-" + i;
        InterProcessMutex mutex =
            shared != null ? shared : new InterProcessMutex(waitersClient, path);
        Thread t = new Thread(null, () -> waiter(mutex, name, checker, tally), name, WAITER_STACK);
        t.setDaemon(true);
        try {
          t.start();
        } catch (OutOfMemoryError e) {
          System.err.println("curator: could not start waiter thread " + (i + 1) + ": " + e);
          return i;
        }
        threads.add(t);
      }
      return n;
    }

    private static void waiter(
        InterProcessMutex mutex, String name, MutualExclusionChecker checker, Tally tally) {
      try {
        if (!mutex.acquire(Env.LONG.toSeconds(), TimeUnit.SECONDS)) {
          tally.count("failures", 1);
          return;
        }
        checker.enter(name).close();
        mutex.release();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        tally.count("failures", 1);
      }
    }

    @Override
    public void releaseHolderAndDrain() throws Exception {
      holderRelease.complete(null);
      holderThread.join(Env.LONG.toMillis());
      long deadline = System.nanoTime() + Env.LONG.toNanos();
      for (Thread t : threads) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
    }

    @Override
    public void abandon() {
      holderRelease.complete(null);
      threads.forEach(Thread::interrupt);
    }
  }
}
