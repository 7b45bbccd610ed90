package dev.baton.samples;

import dev.baton.barrier.BarrierMembership;
import dev.baton.barrier.DoubleBarrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Workers meet at a double barrier: nobody starts a phase before all have arrived, nobody moves on
 * before all have finished it. Each worker arrives after a random delay; the times are checked.
 *
 * <p>Run alone: {@code java ... dev.baton.samples.BarrierScenario [--connect host:port,...]
 * [--quick]}.
 */
public final class BarrierScenario {

  private BarrierScenario() {}

  public static void main(String[] args) throws Exception {
    try (SampleRun run = SampleRun.open("Workers meet at a double barrier", args, System.out)) {
      run(run);
      System.exit(run.report() == 0 ? 0 : 1);
    }
  }

  static void run(SampleRun run) throws Exception {
    int workers = 4;
    int phases = run.quick() ? 2 : 5;
    String path = "/barriers/phase-" + System.nanoTime();
    AtomicLong earlyPasses = new AtomicLong();
    run.say("%d workers on separate sessions run %d phases, meeting at %s", workers, phases, path);
    List<DoubleBarrier> barriers = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      barriers.add(DoubleBarrier.create(run.client(), path, workers));
    }
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      for (int phase = 1; phase <= phases; phase++) {
        long[] arrived = new long[workers];
        long[] passed = new long[workers];
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
          int me = w;
          DoubleBarrier barrier = barriers.get(w);
          done.add(
              pool.submit(
                  () -> {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(200));
                    arrived[me] = System.nanoTime();
                    try (BarrierMembership m = barrier.enter(Duration.ofSeconds(30))) {
                      passed[me] = System.nanoTime();
                      m.leave(Duration.ofSeconds(30));
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
        long lastArrival = max(arrived);
        long firstPass = min(passed);
        if (firstPass < lastArrival) {
          earlyPasses.incrementAndGet();
        }
        run.say(
            "  phase %d: last worker arrived, then all %d passed within %d ms",
            phase, workers, (max(passed) - lastArrival) / 1_000_000);
      }
    } finally {
      pool.shutdownNow();
    }
    run.check("no worker passed before the last one arrived, in any phase", earlyPasses.get() == 0);
    run.count("barrier phases", phases);
    run.count("barrier early passes", earlyPasses.get());
  }

  private static long max(long[] a) {
    long m = Long.MIN_VALUE;
    for (long x : a) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static long min(long[] a) {
    long m = Long.MAX_VALUE;
    for (long x : a) {
      m = Math.min(m, x);
    }
    return m;
  }
}
