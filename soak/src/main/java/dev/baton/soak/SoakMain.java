package dev.baton.soak;

import dev.baton.testkit.Soak;
import dev.baton.testkit.SoakReport;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;

/**
 * Runs the Baton fault soak from the command line on a fresh 3-server ensemble (backend from {@code
 * BATON_TESTKIT_BACKEND}): {@code --seed N} (default random, printed) and {@code --minutes M} of
 * faults (default 30). Prints the seed, the schedule and the counters; exits 1 if a check failed.
 */
public final class SoakMain {

  private SoakMain() {}

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws InterruptedException {
    long seed = Soak.randomSeed();
    long minutes = 30;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seed" -> seed = Long.parseLong(value(args, ++i));
        case "--minutes" -> minutes = Long.parseLong(value(args, ++i));
        default ->
            throw new IllegalArgumentException(
                "unknown argument '" + args[i] + "': expected --seed N and/or --minutes M");
      }
    }
    if (minutes < 1) {
      throw new IllegalArgumentException("--minutes must be at least 1, got " + minutes);
    }
    SoakReport report;
    try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.builder().size(3).start()) {
      System.out.println("soak: seed " + seed + ", " + minutes + " min of faults on " + zk);
      report =
          BatonSoak.builder(zk)
              .seed(seed)
              .faultPeriod(Duration.ofMinutes(minutes))
              .quietPeriod(Duration.ofSeconds(10))
              .build()
              .run();
    }
    System.exit(report.ok() ? 0 : 1);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException("missing value after " + args[i - 1]);
    }
    return args[i];
  }
}
