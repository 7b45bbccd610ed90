package dev.baton.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testkit.Soak;
import dev.baton.testkit.SoakReport;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The short fault soak CI runs: one fixed seed and one random seed (printed, so a failure replays
 * with {@code SoakMain --seed N}), about a minute of faults each on a fresh 3-server ensemble.
 */
class SoakTest {

  private static final Duration FAULTS = Duration.ofSeconds(45);

  @Test
  void soak_fixedSeed_keepsEveryInvariant() throws InterruptedException {
    run(42);
  }

  @Test
  void soak_randomSeed_keepsEveryInvariant() throws InterruptedException {
    long seed = Soak.randomSeed();
    System.out.println("SoakTest random seed: " + seed);
    run(seed);
  }

  private static void run(long seed) throws InterruptedException {
    try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.builder().size(3).start()) {
      SoakReport report =
          BatonSoak.builder(zk)
              .seed(seed)
              .faultPeriod(FAULTS)
              .quietPeriod(Duration.ofSeconds(5))
              .build()
              .run();

      assertThat(report.failures()).as("soak failures; the report:%n%s", report).isEmpty();
      assertThat(report.schedule().faults()).isNotEmpty();
      assertThat(report.results())
          .extracting(r -> r.name())
          .contains("locks", "election", "queue", "config", "soak");
    }
  }
}
