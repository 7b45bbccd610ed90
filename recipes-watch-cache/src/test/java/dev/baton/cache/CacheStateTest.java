package dev.baton.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.ZkPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The zxid rules of the cache's contents, without a server. */
class CacheStateTest {

  static final ZkPath ROOT = ZkPath.of("/r");
  static final ZkPath A = ZkPath.of("/r/a");
  static final ZkPath B = ZkPath.of("/r/b");

  static CachedNode node(ZkPath p, long czxid, long mzxid, long pzxid) {
    return new CachedNode(p, Payload.of(new byte[] {(byte) mzxid}), czxid, mzxid, pzxid, 0, 0);
  }

  @Test
  void read_ofAnOlderWrite_isIgnored_andANewerOne_isAChange() {
    CacheState s = new CacheState(ROOT);
    assertThat(s.applyRead(node(A, 5, 7, 5))).singleElement().isInstanceOf(CacheEvent.Added.class);
    assertThat(s.applyRead(node(A, 5, 6, 5))).isEmpty();
    assertThat(s.applyRead(node(A, 5, 9, 5)))
        .singleElement()
        .isInstanceOf(CacheEvent.Changed.class);
    assertThat(s.get(A)).map(CachedNode::mzxid).contains(9L);
  }

  @Test
  void read_ofANewIncarnation_isRemovedThenAdded_andAnOldIncarnation_isIgnored() {
    CacheState s = new CacheState(ROOT);
    s.applyRead(node(A, 5, 5, 5));
    List<CacheEvent> events = s.applyRead(node(A, 8, 8, 8));
    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isInstanceOf(CacheEvent.Removed.class);
    assertThat(events.get(1)).isInstanceOf(CacheEvent.Added.class);
    assertThat(s.applyRead(node(A, 5, 6, 5))).isEmpty();
    assertThat(s.get(A)).map(CachedNode::czxid).contains(8L);
  }

  @Test
  void delete_removesOnlyStateOlderThanIt() {
    CacheState s = new CacheState(ROOT);
    s.applyRead(node(A, 10, 12, 10));
    assertThat(s.applyDelete(A, 9)).isEmpty();
    assertThat(s.applyDelete(A, 13)).singleElement().isInstanceOf(CacheEvent.Removed.class);
    assertThat(s.get(A)).isEmpty();
  }

  @Test
  void resync_removesNodesTheLoadDidNotList_butKeepsNodesCreatedAfterTheListing() {
    CacheState s = new CacheState(ROOT);
    s.applyRead(node(ROOT, 1, 1, 20));
    s.applyRead(node(A, 5, 5, 5)); // deleted while we were away
    s.beginResync();
    s.applyRead(node(B, 30, 30, 30)); // created after the load read the root (event during load)
    List<CacheEvent> events = s.finishResync(Map.of(ROOT, node(ROOT, 1, 1, 25)));
    assertThat(events).singleElement().isInstanceOf(CacheEvent.Removed.class);
    assertThat(s.get(A)).isEmpty();
    assertThat(s.get(B)).isPresent();
  }

  @Test
  void resync_doesNotReviveANodeDeletedWhileTheLoadRan() {
    CacheState s = new CacheState(ROOT);
    s.beginResync();
    CachedNode listed = node(A, 5, 6, 5);
    s.applyRead(listed); // an event's read during the load
    s.applyDelete(A, 40); // and its deletion
    List<CacheEvent> events = s.finishResync(Map.of(ROOT, node(ROOT, 1, 1, 10), A, listed));
    assertThat(events).singleElement().isInstanceOf(CacheEvent.Added.class); // the root only
    assertThat(s.get(A)).isEmpty();
  }

  @Test
  void resync_withTheRootGone_removesEverythingKnownBefore() {
    CacheState s = new CacheState(ROOT);
    s.applyRead(node(ROOT, 1, 1, 5));
    s.applyRead(node(A, 5, 5, 5));
    s.beginResync();
    assertThat(s.finishResync(Map.of())).hasSize(2);
    assertThat(s.size()).isZero();
  }

  @Test
  void needsRead_skipsEventsTheCacheAlreadyCovers() {
    CacheState s = new CacheState(ROOT);
    assertThat(s.needsRead(A, 5)).isTrue();
    s.applyRead(node(A, 5, 9, 5));
    assertThat(s.needsRead(A, 7)).isFalse();
    assertThat(s.needsRead(A, 10)).isTrue();
    assertThat(s.needsRead(A, -1)).isTrue();
  }
}
