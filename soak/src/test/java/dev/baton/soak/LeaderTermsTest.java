package dev.baton.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.soak.LeaderTerms.End;
import dev.baton.testkit.SoakContext.EndedSession;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderTermsTest {

  private static final long MS = 1_000_000;

  private static String time(long nanos) {
    return "+" + nanos / MS + "ms";
  }

  @Test
  void termsOneAfterAnother_areNoOverlap() {
    LeaderTerms t = new LeaderTerms();
    t.record("a", 10, 0xa, 0, 100 * MS, End.UNCERTAIN);
    t.record("b", 20, 0xb, 100 * MS, 200 * MS, End.LOST);
    t.record("a", 30, 0xa2, 300 * MS, 400 * MS, End.STILL_LEADING);

    assertThat(t.judge(List.of(), LeaderTermsTest::time))
        .isEqualTo(new LeaderTerms.Verdict(List.of(), 0, 0, 0));
  }

  @Test
  void anOverlapAfterAFaultEndedTheEarlierSession_withALargerToken_isCountedApart_withItsLength() {
    LeaderTerms t = new LeaderTerms();
    t.record("a", 10, 0xa, 0, 130 * MS, End.UNCERTAIN); // told late, by a closed connection
    t.record("b", 20, 0xb, 100 * MS, 500 * MS, End.STILL_LEADING);
    List<EndedSession> ended = List.of(new EndedSession("a", 0xa, 60 * MS, 90 * MS));

    LeaderTerms.Verdict v = t.judge(ended, LeaderTermsTest::time);

    assertThat(v.failures()).isEmpty();
    assertThat(v.afterServerEndedSession()).isEqualTo(1);
    assertThat(v.longestExplainedMillis()).isEqualTo(30);
    assertThat(v.termsEndedByFaults()).isEqualTo(1);
  }

  @Test
  void anOverlapWithoutAFaultOnTheEarlierSession_isAFailure_whicheverWayItEnded() {
    LeaderTerms t = new LeaderTerms();
    t.record("a", 10, 0xa, 0, 130 * MS, End.LOST);
    t.record("b", 20, 0xb, 100 * MS, 200 * MS, End.RESIGNED);
    t.record("c", 30, 0xc, 150 * MS, 300 * MS, End.STILL_LEADING);
    // A fault on another session, and one on b's session only after c was elected.
    List<EndedSession> ended =
        List.of(
            new EndedSession("x", 0xf, 10 * MS, 20 * MS),
            new EndedSession("b", 0xb, 160 * MS, 170 * MS));

    LeaderTerms.Verdict v = t.judge(ended, LeaderTermsTest::time);

    assertThat(v.failures())
        .containsExactly(
            "a token 10 session 0xa [+0ms..+130ms] ended LOST"
                + " overlaps b token 20 session 0xb [+100ms..+200ms] ended RESIGNED",
            "b token 20 session 0xb [+100ms..+200ms] ended RESIGNED"
                + " overlaps c token 30 session 0xc [+150ms..+300ms] ended STILL_LEADING");
    assertThat(v.afterServerEndedSession()).isZero();
  }

  @Test
  void anOverlapWhoseLaterTermHoldsTheSmallerToken_isAFailure_evenAfterAFault() {
    LeaderTerms t = new LeaderTerms();
    t.record("a", 20, 0xa, 0, 130 * MS, End.LOST);
    t.record("b", 10, 0xb, 100 * MS, 200 * MS, End.STILL_LEADING);
    List<EndedSession> ended = List.of(new EndedSession("a", 0xa, 60 * MS, 90 * MS));

    assertThat(t.judge(ended, LeaderTermsTest::time).failures()).hasSize(1);
  }
}
