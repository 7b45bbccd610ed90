package dev.baton.barrier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoundsTest {

  @Test
  void roundName_roundTrips_andSortsAsNumbers() {
    assertThat(Rounds.roundName(0)).isEqualTo("round-0000000000");
    assertThat(Rounds.round(Rounds.roundName(42))).contains(42L);
    assertThat(Rounds.round("round-12")).isEmpty();
    assertThat(Rounds.round("round-00000000x1")).isEmpty();
    assertThat(Rounds.round("m-abc")).isEmpty();
    assertThatThrownBy(() -> Rounds.roundName(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void highest_ignoresOtherChildren_andIsEmptyWithoutRounds() {
    assertThat(
            Rounds.highest(
                List.of(Rounds.roundName(9), "junk", Rounds.roundName(10), Rounds.roundName(2))))
        .contains(10L);
    assertThat(Rounds.highest(List.of("junk"))).isEmpty();
  }

  @Test
  void members_countsOnlyMemberNodes_andClosedMeansVersionAboveZero() {
    assertThat(Rounds.members(List.of("m-a", "m-b", "other"))).isEqualTo(2);
    assertThat(Rounds.memberName("x")).isEqualTo("m-x");
    assertThat(Rounds.closed(0)).isFalse();
    assertThat(Rounds.closed(1)).isTrue();
  }
}
