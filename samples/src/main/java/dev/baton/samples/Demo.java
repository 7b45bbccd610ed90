package dev.baton.samples;

import java.io.PrintStream;

/**
 * The Baton demo: the everyday jobs, narrated, against one embedded 3-server ensemble (or an
 * existing one with {@code --connect}): a hold that is told when it may be lost, workers with a
 * lock and fencing tokens (a stalled worker's stale write rejected), live config with bad pushes
 * refused, a work queue drained while a consumer is killed (nothing lost), and workers meeting at a
 * double barrier. Each part is also a standalone program ({@link HoldScenario}, {@link
 * LockScenario}, {@link ConfigScenario}, {@link QueueScenario}, {@link BarrierScenario}).
 *
 * <p>Exits with 1 if any check failed, a stale write was accepted or a queue item was lost.
 */
public final class Demo {

  private Demo() {}

  public static void main(String[] args) throws Exception {
    int failed = run(args, System.out);
    System.exit(failed == 0 ? 0 : 1);
  }

  /** Runs every scenario; returns the number of failed checks (plus violations of the promises). */
  static int run(String[] args, PrintStream out) throws Exception {
    try (SampleRun run = SampleRun.open("Baton demo", args, out)) {
      section(run, "1. Holds: told at once, never silently moved to a new session");
      HoldScenario.run(run);
      section(run, "2. Locks and fencing tokens");
      LockScenario.run(run);
      section(run, "3. Live config: changes reach every service, bad pushes are refused");
      ConfigScenario.run(run);
      section(run, "4. A work queue that loses nothing");
      QueueScenario.run(run);
      section(run, "5. Workers meet at a double barrier");
      BarrierScenario.run(run);
      int failed = run.report();
      long violations = run.counter("stale writes accepted") + run.counter("queue items lost");
      return failed + (int) violations;
    }
  }

  private static void section(SampleRun run, String title) {
    run.say("");
    run.say("-- %s", title);
  }
}
