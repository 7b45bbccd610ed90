package dev.baton.benchmarks;

import dev.baton.barrier.BarrierMembership;
import dev.baton.barrier.DoubleBarrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;

/**
 * Item 9: double barrier rounds with {@value #PARTICIPANTS} participants, each its own client
 * (session) and thread. A round's latency is from the last participant's enter call to the last
 * participant's leave return (the definition of recipes-barrier's test). Rounds are separated in
 * this JVM (everyone's leave returned before anyone enters the next round), so each round is
 * measured alone. A participant passing enter before the last enter call, or leave before the last
 * leave call, is an early pass; early passes and failed calls are correctness counters. Baton:
 * {@code DoubleBarrier.enter} / {@code BarrierMembership.leave}; Curator: {@code
 * DistributedDoubleBarrier.enter} / {@code leave}, one instance per participant on the same path.
 * Stateless.
 */
final class BarrierBench implements Scenario {

  static final int PARTICIPANTS = 5;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Override
  public String name() {
    return "9 double barrier (" + PARTICIPANTS + ")";
  }

  /** One participant's enter and leave. */
  private interface Participant {
    /** Enters and returns whether it passed; then {@link #leave} must follow. */
    boolean enter() throws Exception;

    boolean leave() throws Exception;
  }

  private static Participant participant(Sys system, Env env, String path) throws Exception {
    if (system == Sys.BATON) {
      DoubleBarrier barrier = DoubleBarrier.create(env.baton(), path, PARTICIPANTS);
      return new Participant() {
        private BarrierMembership membership;

        @Override
        public boolean enter() throws Exception {
          membership = barrier.enter(WAIT);
          return true;
        }

        @Override
        public boolean leave() throws Exception {
          membership.leave(WAIT);
          return true;
        }
      };
    }
    DistributedDoubleBarrier barrier =
        new DistributedDoubleBarrier(env.curator(), path, PARTICIPANTS);
    return new Participant() {
      @Override
      public boolean enter() throws Exception {
        return barrier.enter(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }

      @Override
      public boolean leave() throws Exception {
        return barrier.leave(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    };
  }

  @Override
  public void round(Sys system, Env env, Tally tally, boolean warmUp) throws Exception {
    String path = "/bench/barrier/" + system.label() + "-" + System.nanoTime();
    int rounds = env.config().quick() ? 5 : 100;
    int n = warmUp ? Math.max(2, rounds / 4) : rounds;
    long[][] enterCall = new long[n][PARTICIPANTS];
    long[][] enterPass = new long[n][PARTICIPANTS];
    long[][] leaveCall = new long[n][PARTICIPANTS];
    long[][] leavePass = new long[n][PARTICIPANTS];
    List<Participant> ps = new ArrayList<>();
    for (int p = 0; p < PARTICIPANTS; p++) {
      ps.add(participant(system, env, path));
    }
    CyclicBarrier between = new CyclicBarrier(PARTICIPANTS);
    ExecutorService pool = Executors.newFixedThreadPool(PARTICIPANTS);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int p = 0; p < PARTICIPANTS; p++) {
        int me = p;
        Participant part = ps.get(p);
        runs.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < n; r++) {
                    between.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    enterCall[r][me] = System.nanoTime();
                    boolean in = part.enter();
                    enterPass[r][me] = System.nanoTime();
                    leaveCall[r][me] = System.nanoTime();
                    boolean out = in && part.leave();
                    leavePass[r][me] = System.nanoTime();
                    if (!in || !out) {
                      tally.count("failures", 1);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get(Env.LONG.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int r = 0; r < n; r++) {
      tally.samples("round").add(max(leavePass[r]) - max(enterCall[r]));
      for (int p = 0; p < PARTICIPANTS; p++) {
        if (enterPass[r][p] < max(enterCall[r]) || leavePass[r][p] < max(leaveCall[r])) {
          tally.count("early", 1);
        }
      }
    }
  }

  private static long max(long[] a) {
    long m = Long.MIN_VALUE;
    for (long v : a) {
      m = Math.max(m, v);
    }
    return m;
  }

  @Override
  public List<Metric> report(Sys system, Tally t) {
    String n = name();
    Samples s = t.samples("round");
    return List.of(
        new Metric(
            n,
            "round p50",
            system,
            s.percentileMillis(50),
            "ms",
            Better.LOWER,
            "last participant's enter call -> last participant's leave return, "
                + PARTICIPANTS
                + " sessions, one thread each"),
        new Metric(n, "round p99", system, s.percentileMillis(99), "ms", Better.LOWER, ""),
        new Metric(
            n,
            "early passes",
            system,
            t.counter("early"),
            "count",
            Better.ZERO,
            "enter returned before the last enter call, or leave before the last leave call"),
        new Metric(
            n, "failed enters/leaves", system, t.counter("failures"), "count", Better.ZERO, ""));
  }
}
