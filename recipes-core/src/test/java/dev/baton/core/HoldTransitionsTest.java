package dev.baton.core;

import static dev.baton.core.HoldState.HELD;
import static dev.baton.core.HoldState.LOST;
import static dev.baton.core.HoldState.RELEASED;
import static dev.baton.core.HoldState.UNCERTAIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.HoldTransitions.Signal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HoldTransitionsTest {

  @Test
  void held_becomesUncertain_onSuspension() {
    assertThat(HoldTransitions.next(HELD, Signal.SUSPENDED)).contains(UNCERTAIN);
  }

  @Test
  void uncertain_becomesHeld_onlyWhenConfirmed() {
    assertThat(HoldTransitions.next(UNCERTAIN, Signal.CONFIRMED)).contains(HELD);
    assertThat(HoldTransitions.next(UNCERTAIN, Signal.SUSPENDED)).isEmpty();
  }

  @Test
  void confirmation_ofAHeldHold_changesNothing() {
    assertThat(HoldTransitions.next(HELD, Signal.CONFIRMED)).isEmpty();
  }

  @Test
  void heldOrUncertain_becomeLost_onLoss() {
    assertThat(HoldTransitions.next(HELD, Signal.LOST)).contains(LOST);
    assertThat(HoldTransitions.next(UNCERTAIN, Signal.LOST)).contains(LOST);
  }

  @Test
  void heldOrUncertain_becomeReleased_onRelease() {
    assertThat(HoldTransitions.next(HELD, Signal.RELEASED)).contains(RELEASED);
    assertThat(HoldTransitions.next(UNCERTAIN, Signal.RELEASED)).contains(RELEASED);
  }

  @ParameterizedTest
  @EnumSource(Signal.class)
  void terminalStates_neverChange(Signal signal) {
    assertThat(HoldTransitions.next(LOST, signal)).isEmpty();
    assertThat(HoldTransitions.next(RELEASED, signal)).isEmpty();
  }
}
