package dev.baton.benchmarks;

import java.util.List;

/**
 * Item 2: one client acquires and releases a lock nobody else wants, serially, for a fixed time
 * (Baton's mutex vs Curator's InterProcessMutex). Stateless.
 */
final class Uncontended implements Scenario {

  @Override
  public String name() {
    return "2 uncontended lock";
  }

  @Override
  public void round(Sys system, Env env, Tally tally, boolean warmUp) throws Exception {
    LockHandle lock =
        LockHandle.of(system, env.client(system), "/bench/uncontended/" + system.label());
    long end = System.nanoTime() + Timing.roundNanos(env, warmUp);
    long t0 = System.nanoTime();
    long n = 0;
    while (System.nanoTime() < end) {
      long s = System.nanoTime();
      lock.acquire();
      lock.release();
      tally.samples("cycle").add(System.nanoTime() - s);
      n++;
    }
    tally.count("ops", n);
    tally.elapsed("ops", System.nanoTime() - t0);
    if (!warmUp) {
      countRequests(system, env, tally);
    }
  }

  /** Requests one acquire+release sends, counted on the wire through a {@link WireCounter}. */
  private static void countRequests(Sys system, Env env, Tally tally) throws Exception {
    WireCounter wire = new WireCounter(env.firstServer());
    env.closeAtEndOfRound(wire);
    LockHandle lock =
        LockHandle.of(
            system,
            env.client(system, wire.connectString()),
            "/bench/uncontended-counted/" + system.label());
    lock.acquire(); // the first creates the lock's parent nodes: not counted
    lock.release();
    int cycles = 20;
    long r0 = wire.requests();
    for (int i = 0; i < cycles; i++) {
      lock.acquire();
      lock.release();
    }
    tally.count("requests", wire.requests() - r0);
    tally.count("counted", cycles);
  }

  @Override
  public List<Metric> report(Sys system, Tally t) {
    String n = name();
    Samples s = t.samples("cycle");
    return List.of(
        new Metric(
            n,
            "acquire+release p50",
            system,
            s.percentileMillis(50),
            "ms",
            Better.LOWER,
            "release returns once the node is deleted"),
        new Metric(
            n, "acquire+release p99", system, s.percentileMillis(99), "ms", Better.LOWER, ""),
        new Metric(
            n,
            "acquire+release/s",
            system,
            t.rate("ops", "ops"),
            "ops/s",
            Better.HIGHER,
            "serial, one client"),
        new Metric(
            n,
            "requests per acquire+release",
            system,
            (double) t.counter("requests") / Math.max(1, t.counter("counted")),
            "count",
            Better.LOWER,
            "client to server frames on the wire, pings excluded (the floor's cycle is 3)"));
  }
}
