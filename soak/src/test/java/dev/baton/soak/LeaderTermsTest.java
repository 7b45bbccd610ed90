package dev.baton.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.soak.LeaderTerms.End;
import org.junit.jupiter.api.Test;

class LeaderTermsTest {

  private static final long MS = 1_000_000;

  private static String time(long nanos) {
    return "+" + nanos / MS + "ms";
  }

  @Test
  void termsOneAfterAnother_areNoOverlap() {
    LeaderTerms t = new LeaderTerms();
    t.record("a", 10, 0, 100 * MS, End.UNCERTAIN);
    t.record("b", 20, 100 * MS, 200 * MS, End.ENDED_BY_SERVERS);
    t.record("a", 30, 300 * MS, 400 * MS, End.STILL_LEADING);

    assertThat(t.judge(LeaderTermsTest::time))
        .isEqualTo(new LeaderTerms.Verdict(java.util.List.of(), 0, 0));
  }

  @Test
  void anOverlapAfterATermTheServersEnded_withALargerToken_isCountedApart_withItsLength() {
    LeaderTerms t = new LeaderTerms();
    t.record("a", 10, 0, 130 * MS, End.ENDED_BY_SERVERS);
    t.record("b", 20, 100 * MS, 500 * MS, End.STILL_LEADING);

    LeaderTerms.Verdict v = t.judge(LeaderTermsTest::time);

    assertThat(v.failures()).isEmpty();
    assertThat(v.afterServerEndedSession()).isEqualTo(1);
    assertThat(v.longestExplainedMillis()).isEqualTo(30);
  }

  @Test
  void anOverlapAfterAnUncertainOrResignedTerm_isAFailure() {
    LeaderTerms t = new LeaderTerms();
    t.record("a", 10, 0, 130 * MS, End.UNCERTAIN);
    t.record("b", 20, 100 * MS, 200 * MS, End.RESIGNED);
    t.record("c", 30, 150 * MS, 300 * MS, End.STILL_LEADING);

    LeaderTerms.Verdict v = t.judge(LeaderTermsTest::time);

    assertThat(v.failures()).hasSize(2);
    assertThat(v.failures().get(0))
        .isEqualTo(
            "a token 10 [+0ms..+130ms] ended UNCERTAIN overlaps b token 20 [+100ms..+200ms] ended RESIGNED");
    assertThat(v.afterServerEndedSession()).isZero();
  }

  @Test
  void anOverlapWhoseLaterTermHoldsTheSmallerToken_isAFailure_evenAfterTheServersEndedOne() {
    LeaderTerms t = new LeaderTerms();
    t.record("a", 20, 0, 130 * MS, End.ENDED_BY_SERVERS);
    t.record("b", 10, 100 * MS, 200 * MS, End.STILL_LEADING);

    assertThat(t.judge(LeaderTermsTest::time).failures()).hasSize(1);
  }
}
