package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.testkit.FencedResource.StaleWrite;
import dev.baton.testkit.FencedResource.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FencedResourceTest {

  @Test
  void newResource_beforeAnyWrite_hasNoTokenValueOrCounts() {
    FencedResource r = new FencedResource("db");

    assertThat(r.name()).isEqualTo("db");
    assertThat(r.highestToken()).isEmpty();
    assertThat(r.currentValue()).isEmpty();
    assertThat(r.acceptedWrites()).isZero();
    assertThat(r.staleWrites()).isZero();
    assertThat(r.acceptedHistory()).isEmpty();
    assertThat(r.staleWriteHistory()).isEmpty();
  }

  @Test
  void write_onEmptyResource_isAcceptedWhateverTheToken() {
    FencedResource r = new FencedResource("db");

    assertThat(r.write(Long.MIN_VALUE, "a", "v1")).isTrue();

    assertThat(r.highestToken()).hasValue(Long.MIN_VALUE);
    assertThat(r.currentValue()).hasValue("v1");
    assertThat(r.acceptedWrites()).isEqualTo(1);
  }

  @Test
  void write_withEqualToken_isAcceptedSoOneHolderCanWriteTwice() {
    FencedResource r = new FencedResource("db");
    r.write(5, "a", "v1");

    assertThat(r.write(5, "a", "v2")).isTrue();

    assertThat(r.currentValue()).hasValue("v2");
    assertThat(r.highestToken()).hasValue(5);
    assertThat(r.staleWrites()).isZero();
  }

  @Test
  void write_withHigherToken_isAcceptedAndRaisesHighest() {
    FencedResource r = new FencedResource("db");
    r.write(5, "a", "v1");

    assertThat(r.write(9, "b", "v2")).isTrue();

    assertThat(r.highestToken()).hasValue(9);
    assertThat(r.currentValue()).hasValue("v2");
  }

  @Test
  void write_withLowerToken_isRejectedAndCounted() {
    FencedResource r = new FencedResource("db");
    r.write(7, "new-holder", "fresh");

    assertThat(r.write(6, "old-holder", "stale")).isFalse();

    assertThat(r.currentValue()).hasValue("fresh");
    assertThat(r.highestToken()).hasValue(7);
    assertThat(r.acceptedWrites()).isEqualTo(1);
    assertThat(r.staleWrites()).isEqualTo(1);
    assertThat(r.staleWriteHistory()).containsExactly(new StaleWrite(6, 7, "old-holder", "stale"));
  }

  @Test
  void acceptedHistory_afterMixedWrites_keepsAcceptanceOrderWithoutStaleOnes() {
    FencedResource r = new FencedResource("db");
    r.write(1, "a", "x");
    r.write(3, "b", "y");
    r.write(2, "a", "late");
    r.write(3, "b", "z");

    assertThat(r.acceptedHistory())
        .containsExactly(new Write(1, "a", "x"), new Write(3, "b", "y"), new Write(3, "b", "z"));
    assertThat(r.staleWriteHistory()).containsExactly(new StaleWrite(2, 3, "a", "late"));
  }

  @Test
  void histories_afterLaterWrites_stayUnchangedAndUnmodifiable() {
    FencedResource r = new FencedResource("db");
    r.write(2, "a", "x");
    r.write(1, "b", "y");
    List<Write> accepted = r.acceptedHistory();
    List<StaleWrite> stale = r.staleWriteHistory();

    r.write(3, "c", "z");
    r.write(0, "d", "w");

    assertThat(accepted).hasSize(1);
    assertThat(stale).hasSize(1);
    assertThatThrownBy(() -> accepted.add(new Write(9, "e", "q")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(stale::clear).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void assertNoStaleWrites_withOnlyAcceptedWrites_passes() {
    FencedResource r = new FencedResource("db");
    r.write(1, "a", "x");
    r.write(1, "a", "y");

    r.assertNoStaleWrites();
  }

  @Test
  void assertNoStaleWrites_withStaleWrites_failsListingTheFirstFive() {
    FencedResource r = new FencedResource("orders");
    r.write(100, "leader", "ok");
    for (int i = 1; i <= 6; i++) {
      r.write(i, "zombie-" + i, "v" + i);
    }

    assertThatThrownBy(r::assertNoStaleWrites)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("'orders'")
        .hasMessageContaining("6 stale write(s)")
        .hasMessageContaining("accepted 1")
        .hasMessageContaining("token 1 < highest 100 from writer 'zombie-1'")
        .hasMessageContaining("zombie-5")
        .hasMessageNotContaining("zombie-6");
  }

  @Test
  void constructor_withBlankName_throwsNamingTheValue() {
    assertThatThrownBy(() -> new FencedResource("  "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name")
        .hasMessageContaining("'  '");
  }

  @Test
  void write_withBlankWriter_throwsAndChangesNothing() {
    FencedResource r = new FencedResource("db");

    assertThatThrownBy(() -> r.write(1, "", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writer");
    assertThat(r.highestToken()).isEmpty();
    assertThat(r.acceptedWrites()).isZero();
  }

  @Test
  void staleWriteRecord_withTokenNotBelowHighest_isRejected() {
    assertThatThrownBy(() -> new StaleWrite(5, 5, "a", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 5 >= 5");
  }

  @Test
  void write_fromEightThreadsAtOnce_acceptsOnlyNonDecreasingTokensAndCountsTheRest()
      throws Exception {
    int threads = 8;
    int writesPerThread = 20_000;
    FencedResource r = new FencedResource("contended");
    AtomicLong tickets = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<long[]>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  long accepted = 0;
                  long rejected = 0;
                  for (int i = 0; i < writesPerThread; i++) {
                    // Close, rising tokens that reach the resource slightly out of order, like
                    // holders of successive leases racing: both outcomes happen.
                    long token = tickets.incrementAndGet();
                    if (r.write(token, "w" + id, id + ":" + i)) {
                      accepted++;
                    } else {
                      rejected++;
                    }
                  }
                  return new long[] {accepted, rejected};
                }));
      }
      start.countDown();
      long accepted = 0;
      long rejected = 0;
      for (Future<long[]> f : results) {
        long[] counts = f.get(60, TimeUnit.SECONDS);
        accepted += counts[0];
        rejected += counts[1];
      }

      assertThat(accepted + rejected).isEqualTo((long) threads * writesPerThread);
      assertThat(r.acceptedWrites()).isEqualTo(accepted);
      assertThat(r.staleWrites()).isEqualTo(rejected);
      List<Write> history = r.acceptedHistory();
      assertThat(history).hasSize((int) accepted);
      List<String> problems = new ArrayList<>();
      for (int i = 1; i < history.size(); i++) {
        if (history.get(i).token() < history.get(i - 1).token()) {
          problems.add("accepted #" + i + " " + history.get(i) + " after " + history.get(i - 1));
        }
      }
      Set<Long> acceptedTokens = history.stream().map(Write::token).collect(Collectors.toSet());
      for (StaleWrite s : r.staleWriteHistory()) {
        if (!acceptedTokens.contains(s.highestSeen())) {
          problems.add(s + " names a highest token that was never accepted");
        }
      }
      assertThat(problems).isEmpty();
      // The largest token of all is above every other, so it must have been accepted.
      long maxToken = (long) threads * writesPerThread;
      assertThat(r.highestToken()).hasValue(maxToken);
      assertThat(history.get(history.size() - 1).token()).isEqualTo(maxToken);
      assertThat(r.currentValue()).hasValue(history.get(history.size() - 1).value());
    } finally {
      pool.shutdownNow();
    }
  }
}
