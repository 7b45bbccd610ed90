package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LockNodesTest {

  static String node(String id, long seq) {
    return LockNodes.namePrefix(id) + String.format("%010d", seq);
  }

  @Test
  void sequence_isReadFromTheTenDigitSuffix_andForeignNamesHaveNone() {
    assertThat(LockNodes.sequence(node("a-b-c", 42))).contains(42L);
    assertThat(LockNodes.sequence("lock-x-12")).isEmpty();
    assertThat(LockNodes.sequence("other-x-0000000001")).isEmpty();
    assertThat(LockNodes.sequence("lock-x-00000000a1")).isEmpty();
  }

  @Test
  void ordered_sortsBySequenceNotByName_andDropsForeignChildren() {
    List<String> children = List.of(node("zzz", 3), node("aaa", 10), "README", node("mmm", 1));
    assertThat(LockNodes.ordered(children))
        .containsExactly(node("mmm", 1), node("zzz", 3), node("aaa", 10));
  }

  @Test
  void findAttempt_findsTheNodeOfALostCreateReply_byItsAttemptId() {
    List<String> children = List.of(node("other", 1), node("mine", 2));
    assertThat(LockNodes.findAttempt(children, "mine")).contains(node("mine", 2));
    assertThat(LockNodes.findAttempt(children, "gone")).isEmpty();
  }

  @Test
  void position_firstHoldsTheLock_othersWatchTheirPredecessor() {
    List<String> ordered = List.of(node("a", 1), node("b", 2), node("c", 3));
    assertThat(LockNodes.position(ordered, node("a", 1)).orElseThrow().first()).isTrue();
    LockNodes.Position b = LockNodes.position(ordered, node("b", 2)).orElseThrow();
    assertThat(b.predecessor()).contains(node("a", 1));
    assertThat(b.predecessorIsTheOnlyOneBefore()).isTrue();
    LockNodes.Position c = LockNodes.position(ordered, node("c", 3)).orElseThrow();
    assertThat(c.predecessor()).contains(node("b", 2));
    assertThat(c.predecessorIsTheOnlyOneBefore()).isFalse();
    assertThat(LockNodes.position(ordered, node("d", 4))).isEmpty();
  }
}
