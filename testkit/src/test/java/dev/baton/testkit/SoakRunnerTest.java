package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

class SoakRunnerTest {

  /** Connects one client, leaves an ephemeral node through the admin client, fails one check. */
  private static final class Leaky implements SoakWorkload {
    final List<String> calls = new ArrayList<>();

    @Override
    public String name() {
      return "leaky";
    }

    @Override
    public void start(SoakContext context) throws Exception {
      calls.add("start");
      context.client("leaky-client");
      context.admin().curator().create().withMode(CreateMode.EPHEMERAL).forPath("/left-behind");
    }

    @Override
    public void stop() {
      calls.add("stop");
    }

    @Override
    public SoakResult result() {
      calls.add("result");
      return new SoakResult("leaky", Map.of("things", 3L), List.of("things=3, expected 0"));
    }
  }

  @Test
  void run_reportsWorkloadFailures_andEphemeralNodesLeft_withTheSeed() throws Exception {
    List<String> printed = new ArrayList<>();
    Leaky leaky = new Leaky();
    try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.builder().size(3).start()) {
      SoakReport report =
          Soak.builder(zk)
              .seed(5)
              .faultPeriod(Duration.ofSeconds(1))
              .quietPeriod(Duration.ZERO)
              .log(printed::add)
              .workload(leaky)
              .build()
              .run();

      assertThat(leaky.calls).containsExactly("start", "stop", "result");
      assertThat(report.seed()).isEqualTo(5);
      assertThat(report.schedule())
          .isEqualTo(
              FaultSchedule.draw(
                  5, Duration.ofSeconds(1), 3, 1, zk.backend() != Backend.IN_PROCESS));
      assertThat(report.ok()).isFalse();
      assertThat(report.failures())
          .anyMatch(f -> f.startsWith("leaky: things=3"))
          .anyMatch(f -> f.startsWith("soak: ephemeralNodesLeft=1") && f.contains("/left-behind"));
      assertThat(String.join("\n", printed)).contains("seed=5", "schedule:", "replay with seed 5");
      assertThatThrownBy(report::assertOk)
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("#1 ");
    }
  }

  /** Makes an idle and a busy client; marks the busy one busy for the whole run. */
  private static final class OneBusy implements SoakWorkload {
    volatile SoakContext context;
    volatile List<SoakContext.EndedSession> ended = List.of();

    @Override
    public String name() {
      return "one-busy";
    }

    @Override
    public void start(SoakContext context) {
      this.context = context;
      context.client("idle-client");
      context.busy(context.client("busy-client"), true);
    }

    @Override
    public void stop() {
      ended = context.sessionsEndedByFaults();
    }

    @Override
    public SoakResult result() {
      return new SoakResult("one-busy", Map.of(), List.of());
    }
  }

  @Test
  void clientFaults_drawnForABusyClient_strikeTheClientMarkedBusy() throws Exception {
    try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.builder().size(3).start()) {
      boolean pause = zk.backend() != Backend.IN_PROCESS;
      Duration length = Duration.ofSeconds(4);
      // A seed whose schedule is one EXPIRE_SESSION aimed at "a busy client" (target >= clients).
      long seed =
          java.util.stream.LongStream.range(0, 10_000)
              .filter(
                  s -> {
                    List<FaultSchedule.Fault> f =
                        FaultSchedule.draw(s, length, 3, 2, pause).faults();
                    return f.size() == 1
                        && f.get(0).kind() == FaultSchedule.Kind.EXPIRE_SESSION
                        && f.get(0).target() == 2; // without busy targeting: client 0, the idle one
                  })
              .findFirst()
              .orElseThrow();
      List<String> printed = new ArrayList<>();
      OneBusy workload = new OneBusy();

      SoakReport report =
          Soak.builder(zk)
              .seed(seed)
              .faultPeriod(length)
              .quietPeriod(Duration.ZERO)
              .log(printed::add)
              .workload(workload)
              .build()
              .run();

      assertThat(report.ok()).as("%s", report).isTrue();
      assertThat(printed)
          .anyMatch(l -> l.contains("of client busy-client (busy)"))
          .noneMatch(l -> l.contains("of client idle-client"));
      assertThat(workload.ended)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.client()).isEqualTo("busy-client");
                assertThat(e.sessionId()).isNotZero();
                assertThat(e.endNanos()).isGreaterThanOrEqualTo(e.startNanos());
              });
    }
  }
}
