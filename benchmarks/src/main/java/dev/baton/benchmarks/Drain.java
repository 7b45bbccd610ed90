package dev.baton.benchmarks;

import dev.baton.testkit.MutualExclusionChecker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

  /** A drain that has not finished by then is stopped and reported as such. */
  static final Duration LIMIT = Duration.ofSeconds(120);

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
    MutualExclusionChecker checker = new MutualExclusionChecker();
    Waiters q =
        system == Sys.BATON
            ? new Waiters.BatonWaiters(env, cs, path, checker)
            : new Waiters.CuratorWaiters(env, cs, path, kind == Kind.HERD_SHARED, checker);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    int baseThreads = mx.getThreadCount();
    mx.resetPeakThreadCount();
    long t0 = System.nanoTime();
    long deadline = t0 + LIMIT.toNanos();
    try {
      if (queue(q, env, path, deadline, tally)) {
        tally.elapsed("enqueue", System.nanoTime() - t0);
        long r0 = wire == null ? 0 : wire.requests();
        long n0 = wire == null ? 0 : wire.notifications();
        long d0 = System.nanoTime();
        if (q.releaseHolderAndDrain(deadline)) {
          tally.elapsed("drain", System.nanoTime() - d0);
          if (wire != null) {
            tally.count("requests", wire.requests() - r0);
            tally.count("notifications", wire.notifications() - n0);
          }
          tally.count("failures", q.failures());
        } else {
          stop(tally, "the queue did not drain within " + LIMIT.toSeconds() + " s");
        }
      }
    } finally {
      tally.max("threads", mx.getPeakThreadCount() - baseThreads);
      tally.count("granted", checker.sectionsEntered());
      tally.count("violations", checker.violations() + checker.overlaps().size());
      if (tally.counter("stopped") > 0) {
        q.abandon();
      }
    }
  }

  /** Starts the waiters and waits until all are queued on the servers; false if it gave up. */
  private boolean queue(Waiters q, Env env, String path, long deadline, Tally tally)
      throws Exception {
    try {
      q.enqueue(waiters);
    } catch (OutOfMemoryError e) {
      stop(tally, "could not start all waiters: " + e);
      tally.count("queued", Math.max(0, env.children(path) - 1));
      return false;
    }
    try {
      env.awaitChildren(path, waiters + 1, Duration.ofNanos(deadline - System.nanoTime()));
    } catch (IllegalStateException e) {
      stop(tally, "not all waiters were queued within " + LIMIT.toSeconds() + " s");
      tally.count("queued", Math.max(0, env.children(path) - 1));
      return false;
    }
    tally.count("queued", waiters);
    return true;
  }

  private static void stop(Tally tally, String why) {
    tally.count("stopped", 1);
    tally.note(why);
    System.err.println("drain stopped: " + why);
  }

  @Override
  public List<Metric> report(Sys system, Tally t) {
    String n = name();
    boolean stopped = t.counter("stopped") > 0;
    List<Metric> m = new ArrayList<>();
    // every release but the last hands the lock to the next waiter
    double handoffs = Math.max(1, t.counter("queued"));
    if (kind != Kind.SCALE) {
      m.add(
          metric(
              system,
              "watch notifications/handoff",
              stopped ? Double.NaN : t.counter("notifications") / handoffs,
              "count",
              "frames with xid -1 on the wire between the waiters' client and its server, from the"
                  + " holder's release to the drained queue, divided by the waiters"));
      m.add(
          metric(
              system,
              "requests/handoff",
              stopped ? Double.NaN : t.counter("requests") / handoffs,
              "count",
              "waiters' client to server frames in the same window, pings excluded"));
    } else {
      m.add(
          metric(
              system,
              "platform threads added (peak)",
              t.counter("threads"),
              "threads",
              "ThreadMXBean peak minus the count before queueing"));
      m.add(
          metric(
              system,
              "time to queue all",
              t.counter("enqueue.nanos") == 0 ? Double.NaN : t.seconds("enqueue") * 1000,
              "ms",
              "first acquire call until every waiter's node is on the servers"));
    }
    m.add(new Metric(n, "waiters queued", system, t.counter("queued"), "count", Better.HIGHER, ""));
    m.add(
        new Metric(
            n, "waiters granted", system, t.counter("granted"), "count", Better.HIGHER, t.notes()));
    m.add(
        metric(
            system,
            "time to drain",
            stopped ? Double.NaN : t.seconds("drain") * 1000,
            "ms",
            "holder's release until every waiter has held and released (limit "
                + LIMIT.toSeconds()
                + " s)"));
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

  private Metric metric(Sys system, String name, double value, String unit, String note) {
    return new Metric(name(), name, system, value, unit, Better.LOWER, note);
  }
}
