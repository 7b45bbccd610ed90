package dev.baton.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.queue.QueueIndex.Change;
import dev.baton.queue.QueueIndex.Kind;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QueueIndexTest {

  static final Random RANDOM = new Random(1);

  static String item(long seq) {
    return ItemNameTest.node(5, 0, "t" + seq, seq);
  }

  static String delayed(long seq, long delay) {
    return ItemNameTest.node(5, delay, "t" + seq, seq);
  }

  static QueueIndex loaded(List<String> items, long pzxid) {
    QueueIndex index = new QueueIndex();
    index.applyList(Kind.ITEMS, items, pzxid);
    index.applyList(Kind.CLAIMS, List.of(), pzxid);
    return index;
  }

  static String next(QueueIndex index) {
    ItemName n = index.pick(0, false, RANDOM).item();
    return n == null ? null : n.name();
  }

  @Test
  void eventsNotNewerThanTheList_areIgnored_newerOnesApplied() {
    QueueIndex index = loaded(List.of(item(1)), 100);
    index.onChange(new Change(Kind.ITEMS, item(1), false, 90)); // old news: the list is newer
    index.onChange(new Change(Kind.ITEMS, item(2), true, 100)); // already reflected
    assertThat(index.depth()).isEqualTo(1);
    index.onChange(new Change(Kind.ITEMS, item(3), true, 101));
    assertThat(index.depth()).isEqualTo(2);
  }

  @Test
  void eventsArrivingWhileAListIsRead_areAppliedAfterIt_ifNewer() {
    QueueIndex index = new QueueIndex();
    index.startLoading(Kind.ITEMS);
    // The list's reply may be handled after later events (another thread): they are held.
    index.onChange(new Change(Kind.ITEMS, item(1), true, 10));
    index.onChange(new Change(Kind.ITEMS, item(2), true, 30));
    index.onChange(new Change(Kind.ITEMS, item(1), false, 31));
    index.applyList(Kind.ITEMS, List.of(item(1)), 20);
    index.applyList(Kind.CLAIMS, List.of(), 20);
    assertThat(next(index)).isEqualTo(item(2));
    assertThat(next(index)).isNull();
  }

  @Test
  void claimedItems_areNotOffered_untilTheClaimGoes() {
    QueueIndex index = loaded(List.of(item(1), item(2)), 5);
    index.onChange(new Change(Kind.CLAIMS, item(1), true, 6));
    assertThat(next(index)).isEqualTo(item(2));
    assertThat(next(index)).isNull();
    index.onChange(new Change(Kind.CLAIMS, item(1), false, 7));
    assertThat(next(index)).isEqualTo(item(1));
    assertThat(index.wasClaimedByOthers(item(1))).isTrue();
  }

  @Test
  void ourOwnClaim_doesNotMakeTheItemAvailable_untilUnbusy() {
    QueueIndex index = loaded(List.of(item(1)), 5);
    assertThat(next(index)).isEqualTo(item(1));
    index.onChange(new Change(Kind.CLAIMS, item(1), true, 6));
    index.onChange(new Change(Kind.CLAIMS, item(1), false, 7));
    assertThat(next(index)).isNull();
    index.unbusy(item(1));
    assertThat(next(index)).isEqualTo(item(1));
    assertThat(index.wasClaimedByOthers(item(1))).isFalse();
  }

  @Test
  void aGoneItem_isNeverOfferedAgain() {
    QueueIndex index = loaded(List.of(item(1)), 5);
    assertThat(next(index)).isEqualTo(item(1));
    index.gone(item(1));
    index.unbusy(item(1));
    assertThat(next(index)).isNull();
    assertThat(index.depth()).isZero();
  }

  @Test
  void loneConsumer_takesStrictOrder_butSpreadsWhenOthersHoldClaims() {
    QueueIndex index = loaded(List.of(item(1), item(2), item(3), item(4)), 5);
    assertThat(next(index)).isEqualTo(item(1));
    index.onChange(new Change(Kind.CLAIMS, "someone-else", true, 6));
    Random random = new Random(7);
    boolean sawNonHead = false;
    for (int i = 0; i < 20 && !sawNonHead; i++) {
      ItemName n = index.pick(0, false, random).item();
      sawNonHead = !n.name().equals(item(2));
      index.unbusy(n.name());
    }
    assertThat(sawNonHead).isTrue();
  }

  @Test
  void delayedItem_needsItsDueTime_thenWaitsForIt() {
    QueueIndex index = loaded(List.of(delayed(1, 1000), item(2)), 5);
    QueueIndex.Pick first = index.pick(5_000, false, RANDOM);
    assertThat(first.item().name()).isEqualTo(item(2));
    assertThat(first.needDueTime()).containsExactly(delayed(1, 1000));
    index.dueTime(delayed(1, 1000), 6_000L);
    QueueIndex.Pick early = index.pick(5_999, false, RANDOM);
    assertThat(early.item()).isNull();
    assertThat(early.nextDueMillis()).isEqualTo(6_000);
    assertThat(early.needDueTime()).isEmpty();
    assertThat(index.pick(6_000, false, RANDOM).item().name()).isEqualTo(delayed(1, 1000));
  }

  @Test
  void aLostClaimRace_answeredAfterTheClaimWasDeleted_leavesTheItemFree() {
    QueueIndex index = loaded(List.of(item(1)), 5);
    index.onChange(new Change(Kind.CLAIMS, item(1), true, 6)); // another consumer claims
    // We had picked it just before; its claim goes (that consumer's session ended) and only then
    // is our NODEEXISTS answer handled.
    index.onChange(new Change(Kind.CLAIMS, item(1), false, 7));
    index.claimedElsewhere(item(1));
    assertThat(next(index)).isEqualTo(item(1));
  }

  @Test
  void aLostClaimRace_whileTheClaimStands_keepsTheItemTaken() {
    QueueIndex index = loaded(List.of(item(1), item(2)), 5);
    assertThat(next(index)).isEqualTo(item(1));
    index.onChange(new Change(Kind.CLAIMS, item(1), true, 6));
    index.claimedElsewhere(item(1));
    assertThat(next(index)).isEqualTo(item(2));
    assertThat(next(index)).isNull();
  }
}
