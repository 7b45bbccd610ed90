package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testkit.QueueLedger.LedgerReport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QueueLedgerTest {

  @Test
  void report_emptyLedger_isOkWithZeroCounts() {
    LedgerReport r = new QueueLedger().report();

    assertThat(r.ok()).isTrue();
    assertThat(r.produced()).isZero();
    assertThat(r.delivered()).isZero();
    assertThat(r.acked()).isZero();
    assertThat(r.redeliveries()).isZero();
  }

  @Test
  void report_everyItemDeliveredOnceAndAcked_isOk() {
    QueueLedger ledger = new QueueLedger();
    for (String id : List.of("a", "b", "c")) {
      ledger.produced(id);
      ledger.delivered(id, "c1");
      ledger.acked(id, "c1");
    }

    LedgerReport r = ledger.report();

    assertThat(r.ok()).isTrue();
    assertThat(r.produced()).isEqualTo(3);
    assertThat(r.delivered()).isEqualTo(3);
    assertThat(r.acked()).isEqualTo(3);
    assertThat(r.lost()).isEmpty();
    assertThat(r.redeliveries()).isZero();
    ledger.assertComplete();
  }

  @Test
  void report_producedButNeverAcked_isLost() {
    QueueLedger ledger = new QueueLedger();
    ledger.produced("never-delivered");
    ledger.produced("delivered-only");
    ledger.delivered("delivered-only", "c1");
    ledger.produced("done");
    ledger.delivered("done", "c1");
    ledger.acked("done", "c1");

    LedgerReport r = ledger.report();

    assertThat(r.ok()).isFalse();
    assertThat(r.lost()).containsExactly("delivered-only", "never-delivered");
  }

  @Test
  void report_deliveredOrAckedButNeverProduced_isUnknown() {
    QueueLedger ledger = new QueueLedger();
    ledger.delivered("ghost", "c1");
    ledger.acked("phantom", "c2");

    LedgerReport r = ledger.report();

    assertThat(r.unknown()).containsExactly("ghost", "phantom");
    assertThat(r.produced()).isZero();
    assertThat(r.lost()).isEmpty();
    assertThat(r.ok()).isFalse();
  }

  @Test
  void produced_afterItsDeliveryWasRecorded_isNotUnknown() {
    QueueLedger ledger = new QueueLedger();
    ledger.delivered("x", "c1");
    ledger.acked("x", "c1");

    ledger.produced("x");

    assertThat(ledger.report().ok()).isTrue();
  }

  @Test
  void produced_sameIdTwice_throwsNamingIdAndKeepsFirst() {
    QueueLedger ledger = new QueueLedger();
    ledger.produced("job-7");

    assertThatThrownBy(() -> ledger.produced("job-7"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'job-7'")
        .hasMessageContaining("unique");
    assertThat(ledger.report().produced()).isEqualTo(1);
  }

  @Test
  void acked_twice_isDuplicateAck() {
    QueueLedger ledger = new QueueLedger();
    ledger.produced("a");
    ledger.delivered("a", "c1");
    ledger.acked("a", "c1");
    ledger.acked("a", "c2");

    LedgerReport r = ledger.report();

    assertThat(r.duplicateAcks()).containsExactly("a");
    assertThat(r.acked()).isEqualTo(2);
    assertThat(r.lost()).isEmpty();
    assertThat(r.ok()).isFalse();
  }

  @Test
  void delivered_afterAck_isViolationNotRedelivery() {
    QueueLedger ledger = new QueueLedger();
    ledger.produced("a");
    ledger.delivered("a", "c1");
    ledger.acked("a", "c1");
    ledger.delivered("a", "c2");

    LedgerReport r = ledger.report();

    assertThat(r.deliveredAfterAck()).containsExactly("a");
    assertThat(r.redeliveries()).isZero();
    assertThat(r.delivered()).isEqualTo(2);
    assertThat(r.ok()).isFalse();
  }

  @Test
  void delivered_againBeforeAck_countsRedeliveryAndStaysOk() {
    QueueLedger ledger = new QueueLedger();
    ledger.produced("a");
    ledger.delivered("a", "c1");
    ledger.delivered("a", "c2");
    ledger.delivered("a", "c2");
    ledger.acked("a", "c2");

    LedgerReport r = ledger.report();

    assertThat(r.redeliveries()).isEqualTo(2);
    assertThat(r.delivered()).isEqualTo(3);
    assertThat(r.ok()).isTrue();
  }

  @Test
  void ledgerReport_builtFromMutableSets_keepsUnmodifiableCopies() {
    Set<String> lost = new HashSet<>(Set.of("a"));
    LedgerReport r = new LedgerReport(1, 0, 0, lost, Set.of(), Set.of(), Set.of(), 0);

    lost.add("b");

    assertThat(r.lost()).containsExactly("a");
    assertThatThrownBy(() -> r.lost().add("c")).isInstanceOf(UnsupportedOperationException.class);
    LedgerReport fromLedger = new QueueLedger().report();
    assertThatThrownBy(() -> fromLedger.unknown().add("c"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void ledgerReport_withNegativeCount_throwsNamingIt() {
    assertThatThrownBy(() -> new LedgerReport(0, -1, 0, Set.of(), Set.of(), Set.of(), Set.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delivered")
        .hasMessageContaining("-1");
  }

  @Test
  void summary_ofFailingLedger_listsEveryCountAndVerdictOnOneLine() {
    QueueLedger ledger = new QueueLedger();
    ledger.produced("a");
    ledger.delivered("a", "c1");
    ledger.delivered("a", "c1");
    ledger.produced("b");

    String summary = ledger.report().summary();

    assertThat(summary)
        .isEqualTo(
            "produced=2 delivered=2 acked=0 redeliveries=1 lost=2 unknown=0 duplicateAcks=0"
                + " deliveredAfterAck=0 FAILED")
        .doesNotContain("\n");
  }

  @Test
  void assertComplete_withFailures_listsAtMostTenIdsPerCategory() {
    QueueLedger ledger = new QueueLedger();
    for (int i = 0; i < 15; i++) {
      ledger.produced(String.format("lost-%02d", i));
    }
    ledger.acked("stranger", "c1");

    assertThatThrownBy(ledger::assertComplete)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("produced=15")
        .hasMessageContaining("lost-00")
        .hasMessageContaining("lost-09")
        .hasMessageNotContaining("lost-10")
        .hasMessageContaining("and 5 more")
        .hasMessageContaining("unknown (never produced): [stranger]")
        .hasMessageNotContaining("acked more than once");
  }

  @Test
  void calls_withBlankIds_throwNamingTheArgument() {
    QueueLedger ledger = new QueueLedger();

    assertThatThrownBy(() -> ledger.produced(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("itemId");
    assertThatThrownBy(() -> ledger.delivered("a", " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consumer");
    assertThatThrownBy(() -> ledger.acked(" ", "c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("itemId");
    assertThat(ledger.report()).isEqualTo(new QueueLedger().report());
  }

  @Test
  void ledger_eightThreadsProducingDeliveringAndAcking_countsExactly() throws Exception {
    int threads = 8;
    int itemsPerThread = 5_000;
    QueueLedger ledger = new QueueLedger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  String consumer = "c" + id;
                  for (int i = 0; i < itemsPerThread; i++) {
                    // Each thread produces its own items but delivers and acks its neighbour's,
                    // so records of one item are written from two threads.
                    String own = id + "-" + i;
                    String neighbours = ((id + 1) % threads) + "-" + i;
                    ledger.produced(own);
                    ledger.delivered(neighbours, consumer);
                    if (i % 10 == 0) {
                      ledger.delivered(neighbours, consumer);
                    }
                    if (i % 100 != 99) {
                      ledger.acked(neighbours, consumer);
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

    LedgerReport r = ledger.report();
    int total = threads * itemsPerThread;
    assertThat(r.produced()).isEqualTo(total);
    assertThat(r.redeliveries()).isEqualTo(total / 10);
    assertThat(r.delivered()).isEqualTo(total + total / 10);
    assertThat(r.acked()).isEqualTo(total - total / 100);
    assertThat(r.lost()).hasSize(total / 100).allMatch(s -> s.endsWith("99"));
    assertThat(r.unknown()).isEmpty();
    assertThat(r.duplicateAcks()).isEmpty();
    assertThat(r.deliveredAfterAck()).isEmpty();
  }

  @Test
  void produced_sameIdFromEightThreadsAtOnce_succeedsExactlyOnce() throws Exception {
    int threads = 8;
    int ids = 2_000;
    QueueLedger ledger = new QueueLedger();
    AtomicInteger rejected = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < ids; i++) {
                    try {
                      ledger.produced("item-" + i);
                    } catch (IllegalArgumentException expected) {
                      rejected.incrementAndGet();
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

    assertThat(ledger.report().produced()).isEqualTo(ids);
    assertThat(rejected.get()).isEqualTo((threads - 1) * ids);
  }

  @Test
  void deliveryRacingAck_ofSameItem_isClassifiedExactlyOnce() throws Exception {
    int items = 20_000;
    QueueLedger ledger = new QueueLedger();
    for (int i = 0; i < items; i++) {
      ledger.produced("i" + i);
      ledger.delivered("i" + i, "first");
    }
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean acker = t % 2 == 0;
        int slice = t / 2;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  // Pairs of threads walk the same slice: one acks, the other re-delivers.
                  for (int i = slice; i < items; i += threads / 2) {
                    if (acker) {
                      ledger.acked("i" + i, "acker");
                    } else {
                      ledger.delivered("i" + i, "redeliverer");
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

    LedgerReport r = ledger.report();
    // Each item saw one racing delivery: before its ack a redelivery, after it a violation.
    assertThat(r.redeliveries() + r.deliveredAfterAck().size()).isEqualTo(items);
    assertThat(r.delivered()).isEqualTo(2L * items);
    assertThat(r.acked()).isEqualTo(items);
    assertThat(r.lost()).isEmpty();
    assertThat(r.duplicateAcks()).isEmpty();
  }
}
