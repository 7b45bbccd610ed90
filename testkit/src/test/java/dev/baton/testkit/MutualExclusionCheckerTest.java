package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testkit.MutualExclusionChecker.Interval;
import dev.baton.testkit.MutualExclusionChecker.Overlap;
import dev.baton.testkit.MutualExclusionChecker.Section;
import dev.baton.testkit.MutualExclusionChecker.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class MutualExclusionCheckerTest {

  @Test
  void enter_sequentialSections_recordsIntervalsWithoutViolations() {
    MutualExclusionChecker c = new MutualExclusionChecker();

    try (Section a = c.enter("a")) {
      assertThat(a.holder()).isEqualTo("a");
      assertThat(c.intervals()).as("open sections are not intervals yet").isEmpty();
    }
    try (Section b = c.enter("b")) {
      assertThat(b.holder()).isEqualTo("b");
    }

    assertThat(c.sectionsEntered()).isEqualTo(2);
    assertThat(c.violations()).isZero();
    assertThat(c.overlaps()).isEmpty();
    List<Interval> intervals = c.intervals();
    assertThat(intervals).extracting(Interval::holder).containsExactly("a", "b");
    assertThat(intervals).allMatch(Interval::live);
    assertThat(intervals.get(0).exitSequence().getAsLong())
        .isLessThan(intervals.get(1).enterSequence().getAsLong());
    assertThat(intervals.get(0).endNanos()).isLessThanOrEqualTo(intervals.get(1).startNanos());
    c.assertMutualExclusion();
  }

  @Test
  void enter_whileAnotherHolderInside_countsViolationNamingBoth() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    Section a = c.enter("a");

    Section b = c.enter("b");

    assertThat(c.violations()).isEqualTo(1);
    Violation v = c.violationHistory().get(0);
    assertThat(v.holder()).isEqualTo("b");
    assertThat(v.alreadyInside()).containsExactly("a");
    assertThat(v.enterSequence()).isEqualTo(2);
    a.close();
    b.close();
  }

  @Test
  void enter_sameHolderWhileItsOwnSectionIsOpen_countsViolation() {
    MutualExclusionChecker c = new MutualExclusionChecker();

    try (Section outer = c.enter("a");
        Section inner = c.enter("a")) {
      assertThat(inner.holder()).isEqualTo(outer.holder());
    }

    assertThat(c.violations()).isEqualTo(1);
    assertThat(c.overlaps()).hasSize(1);
  }

  @Test
  void enter_threeOverlappingLiveSections_findsEveryPairBySequence() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    Section a = c.enter("a");
    Section b = c.enter("b");
    a.close();
    Section d = c.enter("d");
    b.close();
    d.close();

    assertThat(c.violations()).isEqualTo(2);
    assertThat(c.violationHistory().get(1).alreadyInside()).containsExactly("b");
    List<Overlap> overlaps = c.overlaps();
    assertThat(overlaps)
        .extracting(o -> o.first().holder() + "-" + o.second().holder())
        .containsExactly("a-b", "b-d");
    assertThat(overlaps).allMatch(Overlap::bySequence);
  }

  @Test
  void close_calledTwice_recordsOneIntervalAndDoesNotDoubleCount() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    Section a = c.enter("a");

    a.close();
    a.close();

    assertThat(c.intervals()).hasSize(1);
    assertThat(c.sectionsEntered()).isEqualTo(1);
    try (Section b = c.enter("b")) {
      assertThat(b.holder()).isEqualTo("b");
      assertThat(c.violations()).as("the twice-closed section is not inside").isZero();
    }
  }

  @Test
  void overlaps_withSectionStillOpen_ignoresIt() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    Section a = c.enter("a");
    Section b = c.enter("b");
    b.close();

    assertThat(c.overlaps()).isEmpty();
    assertThat(c.violations()).isEqualTo(1);

    a.close();
    assertThat(c.overlaps()).hasSize(1);
  }

  @Test
  void enter_withBlankHolder_throwsIllegalArgument() {
    MutualExclusionChecker c = new MutualExclusionChecker();

    assertThatThrownBy(() -> c.enter(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holder")
        .hasMessageContaining("' '");
    assertThat(c.sectionsEntered()).isZero();
  }

  @Test
  void record_withEndBeforeStart_throwsNamingBothValues() {
    MutualExclusionChecker c = new MutualExclusionChecker();

    assertThatThrownBy(() -> c.record("a", 200, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("200")
        .hasMessageContaining("100");
    assertThat(c.intervals()).isEmpty();
  }

  @Test
  void record_touchingIntervals_doNotOverlap() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    c.record("a", 100, 200);
    c.record("b", 200, 300);
    c.record("zero", 300, 300);

    assertThat(c.overlaps()).isEmpty();
    c.assertMutualExclusion();
    assertThat(c.sectionsEntered()).isZero();
  }

  @Test
  void record_overlappingIntervals_reportsThePairEarlierFirst() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    c.record("late", 150, 400);
    c.record("early", 100, 200);

    assertThat(c.overlaps())
        .containsExactly(
            new Overlap(Interval.recorded("early", 100, 200), Interval.recorded("late", 150, 400)));
    assertThat(c.overlaps().get(0).bySequence()).isFalse();
    assertThat(c.violations()).isZero();
  }

  @Test
  void record_zeroLengthIntervalInsideAnother_overlapsIt() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    c.record("long", 0, 10);
    c.record("blip", 5, 5);

    assertThat(c.overlaps()).hasSize(1);
  }

  @Test
  void overlaps_liveSectionAndRecordedInterval_areComparedByNanos() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    c.enter("live").close();
    Interval live = c.intervals().get(0);
    c.record("around", live.startNanos() - 10, live.endNanos() + 10);
    c.record("after", live.endNanos() + 100, live.endNanos() + 200);

    List<Overlap> overlaps = c.overlaps();

    assertThat(overlaps).hasSize(1);
    assertThat(overlaps.get(0).first().holder()).isEqualTo("around");
    assertThat(overlaps.get(0).second()).isEqualTo(live);
    assertThat(overlaps.get(0).bySequence()).isFalse();
  }

  @Test
  void overlaps_randomRecordedIntervals_matchBruteForce() {
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      MutualExclusionChecker c = new MutualExclusionChecker();
      List<Interval> all = new ArrayList<>();
      int n = 1 + random.nextInt(60);
      for (int i = 0; i < n; i++) {
        long start = random.nextInt(100);
        long end = start + random.nextInt(8); // small ranges: ties and zero lengths happen
        c.record("h" + i, start, end);
        all.add(Interval.recorded("h" + i, start, end));
      }
      Set<String> expected = new HashSet<>();
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          Interval x = all.get(i);
          Interval y = all.get(j);
          if (x.startNanos() < y.endNanos() && y.startNanos() < x.endNanos()) {
            expected.add(pairKey(x, y));
          }
        }
      }

      List<Overlap> found = c.overlaps();

      Set<String> actual = new HashSet<>();
      for (Overlap o : found) {
        assertThat(o.first().startNanos()).isLessThanOrEqualTo(o.second().startNanos());
        actual.add(pairKey(o.first(), o.second()));
      }
      assertThat(found).as("no pair twice, round %d", round).hasSameSizeAs(actual);
      assertThat(actual).as("round %d", round).isEqualTo(expected);
    }
  }

  @Test
  void assertMutualExclusion_withLiveViolation_failsNamingHolders() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    Section a = c.enter("alice");
    Section b = c.enter("bob");
    b.close();
    a.close();

    assertThatThrownBy(c::assertMutualExclusion)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("1 live violation(s)")
        .hasMessageContaining("1 overlapping pair(s)")
        .hasMessageContaining("'bob' entered")
        .hasMessageContaining("[alice]");
  }

  @Test
  void assertMutualExclusion_withOnlyRecordedOverlap_failsListingIt() {
    MutualExclusionChecker c = new MutualExclusionChecker();
    c.record("x", 10, 20);
    c.record("y", 15, 25);

    assertThatThrownBy(c::assertMutualExclusion)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("0 live violation(s)")
        .hasMessageContaining("'x' [10..20 ns) overlaps 'y' [15..25 ns)");
  }

  @Test
  void interval_withOnlyOneSequenceNumber_isRejected() {
    assertThatThrownBy(() -> new Interval("a", 1, 2, OptionalLong.of(1), OptionalLong.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sequences OptionalLong[1]..OptionalLong.empty");
  }

  @Test
  void enter_eightThreadsUnderRealLock_recordsNoViolationOrOverlap() throws Exception {
    int threads = 8;
    int rounds = 2_000;
    MutualExclusionChecker c = new MutualExclusionChecker();
    ReentrantLock lock = new ReentrantLock();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String holder = "t" + t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < rounds; i++) {
                    lock.lock();
                    try (Section s = c.enter(holder)) {
                      assertThat(s.holder()).isEqualTo(holder);
                    } finally {
                      lock.unlock();
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(c.sectionsEntered()).isEqualTo(threads * rounds);
    assertThat(c.intervals()).hasSize(threads * rounds);
    assertThat(c.violations()).isZero();
    assertThat(c.overlaps()).isEmpty();
    c.assertMutualExclusion();
  }

  @Test
  void enter_eightThreadsAllInsideAtOnce_countsSevenViolationsAndEveryPair() throws Exception {
    int threads = 8;
    MutualExclusionChecker c = new MutualExclusionChecker();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch allInside = new CountDownLatch(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String holder = "t" + t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  Section s = c.enter(holder);
                  allInside.countDown();
                  // No one leaves before everyone is in: all sections overlap for sure.
                  assertThat(allInside.await(30, TimeUnit.SECONDS)).isTrue();
                  s.close();
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(c.violations()).isEqualTo(threads - 1);
    assertThat(c.violationHistory())
        .extracting(v -> v.alreadyInside().size())
        .containsExactly(1, 2, 3, 4, 5, 6, 7);
    List<Overlap> overlaps = c.overlaps();
    assertThat(overlaps).hasSize(threads * (threads - 1) / 2);
    assertThat(overlaps).allMatch(Overlap::bySequence);
    assertThatThrownBy(c::assertMutualExclusion).hasMessageContaining("7 live violation(s)");
  }

  private static String pairKey(Interval x, Interval y) {
    return x.holder().compareTo(y.holder()) < 0
        ? x.holder() + "|" + y.holder()
        : y.holder() + "|" + x.holder();
  }
}
