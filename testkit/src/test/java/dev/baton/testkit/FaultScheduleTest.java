package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testkit.FaultSchedule.Fault;
import dev.baton.testkit.FaultSchedule.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

  @Test
  void draw_sameSeed_givesSameSchedule() {
    FaultSchedule a = FaultSchedule.draw(42, Duration.ofMinutes(2), 3, 8, true);
    FaultSchedule b = FaultSchedule.draw(42, Duration.ofMinutes(2), 3, 8, true);

    assertThat(a).isEqualTo(b);
    assertThat(a.faults()).isNotEmpty();
  }

  @Test
  void draw_otherSeed_givesOtherSchedule() {
    assertThat(FaultSchedule.draw(1, Duration.ofMinutes(2), 3, 8, true))
        .isNotEqualTo(FaultSchedule.draw(2, Duration.ofMinutes(2), 3, 8, true));
  }

  @Test
  void draw_withoutPause_neverPauses_andCutOffsStraddleTheSessionTimeout() {
    FaultSchedule s = FaultSchedule.draw(7, Duration.ofMinutes(30), 3, 5, false);

    assertThat(s.faults()).extracting(Fault::kind).doesNotContain(Kind.PAUSE_SERVER);
    assertThat(s.faults())
        .filteredOn(f -> f.kind() == Kind.CUT_OFF_CLIENT || f.kind() == Kind.PARTITION_CLIENT)
        .extracting(f -> f.duration().toMillis())
        .allMatch(ms -> ms >= 1_000 && ms <= 10_000)
        .anyMatch(ms -> ms < 4_000)
        .anyMatch(ms -> ms > 4_000);
    assertThat(s.faults())
        .extracting(Fault::kind)
        .contains(Kind.KILL_LEADER, Kind.EXPIRE_SESSION, Kind.PARTITION_CLIENT);
  }

  @Test
  void draw_aimsAboutHalfTheClientFaultsAtBusyClients() {
    FaultSchedule s = FaultSchedule.draw(7, Duration.ofMinutes(30), 3, 5, true);

    assertThat(s.faults())
        .filteredOn(
            f ->
                f.kind() == Kind.EXPIRE_SESSION
                    || f.kind() == Kind.CUT_OFF_CLIENT
                    || f.kind() == Kind.PARTITION_CLIENT)
        .extracting(Fault::target)
        .allMatch(t -> t >= 0 && t < 10)
        .anyMatch(t -> t < 5)
        .anyMatch(t -> t >= 5);
  }

  @Test
  void draw_withoutClients_drawsNoClientFaults() {
    FaultSchedule s = FaultSchedule.draw(7, Duration.ofMinutes(10), 3, 0, true);

    assertThat(s.faults())
        .extracting(Fault::kind)
        .doesNotContain(Kind.EXPIRE_SESSION, Kind.CUT_OFF_CLIENT, Kind.PARTITION_CLIENT);
  }

  @Test
  void draw_rejectsAnEmptyLength() {
    assertThatThrownBy(() -> FaultSchedule.draw(1, Duration.ZERO, 3, 1, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive length");
  }
}
