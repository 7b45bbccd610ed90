package dev.baton.benchmarks;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Item 4: two clients (own sessions, own thread each) pass one lock back and forth. Once the
 * waiter's node is on the servers, the holder's thread notes the time and releases; the handoff is
 * the time until the waiter's acquire returns. Stateless.
 */
final class Handoff implements Scenario {

  @Override
  public String name() {
    return "4 handoff";
  }

  @Override
  public void round(Sys system, Env env, Tally tally, boolean warmUp) throws Exception {
    String path = "/bench/handoff/" + system.label();
    LockHandle[] locks = {
      LockHandle.of(system, env.client(system), path),
      LockHandle.of(system, env.client(system), path)
    };
    ExecutorService[] threads = {
      Executors.newSingleThreadExecutor(), Executors.newSingleThreadExecutor()
    };
    try {
      threads[0].submit(() -> acquire(locks[0])).get();
      int n = warmUp ? Math.max(5, env.config().handoffs() / 4) : env.config().handoffs();
      for (int i = 0; i < n; i++) {
        int h = i % 2;
        int w = 1 - h;
        Future<Long> granted = threads[w].submit(() -> acquire(locks[w]));
        awaitWaiter(env, path, granted);
        long t0 = threads[h].submit(() -> release(locks[h])).get();
        tally.samples("handoff").add(granted.get(Env.LONG.toSeconds(), TimeUnit.SECONDS) - t0);
      }
      int last = n % 2;
      threads[last].submit(() -> release(locks[last])).get();
    } finally {
      threads[0].shutdownNow();
      threads[1].shutdownNow();
    }
  }

  /** Waits until the waiter's node is there (2 children), polling every 2 ms. */
  private static void awaitWaiter(Env env, String path, Future<Long> granted) throws Exception {
    long deadline = System.nanoTime() + Env.LONG.toNanos();
    while (env.children(path) < 2) {
      if (granted.isDone()) {
        granted.get(); // surfaces a failure; a grant while the holder holds is a violation
        throw new IllegalStateException("waiter granted while the holder still held " + path);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("waiter never queued on " + path);
      }
      Thread.sleep(2);
    }
  }

  private static long acquire(LockHandle lock) throws Exception {
    lock.acquire();
    return System.nanoTime();
  }

  private static long release(LockHandle lock) throws Exception {
    long t0 = System.nanoTime();
    lock.release();
    return t0;
  }

  @Override
  public List<Metric> report(Sys system, Tally t) {
    String n = name();
    Samples s = t.samples("handoff");
    String how = "holder's release called -> waiter's acquire returns, separate sessions";
    return List.of(
        new Metric(n, "handoff p50", system, s.percentileMillis(50), "ms", Better.LOWER, how),
        new Metric(n, "handoff p99", system, s.percentileMillis(99), "ms", Better.LOWER, ""));
  }
}
