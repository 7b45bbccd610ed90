package dev.baton.lock;

import static dev.baton.lock.LockNodes.Kind.EXCLUSIVE;
import static dev.baton.lock.LockNodes.Kind.READ;
import static dev.baton.lock.LockNodes.Kind.WRITE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LockNodesTest {

  static String node(LockNodes.Kind kind, String id, long seq) {
    return LockNodes.namePrefix(kind, id) + String.format("%010d", seq);
  }

  static String node(String id, long seq) {
    return node(EXCLUSIVE, id, seq);
  }

  @Test
  void sequence_isReadFromTheTenDigitSuffix_andForeignNamesHaveNone() {
    assertThat(LockNodes.sequence(node("a-b-c", 42))).contains(42L);
    assertThat(LockNodes.sequence(node(READ, "r", 7))).contains(7L);
    assertThat(LockNodes.sequence("lock-x-12")).isEmpty();
    assertThat(LockNodes.sequence("other-x-0000000001")).isEmpty();
    assertThat(LockNodes.sequence("lock-x-00000000a1")).isEmpty();
  }

  @Test
  void ordered_sortsBySequenceNotByName_andDropsForeignChildren() {
    List<String> children =
        List.of(node("zzz", 3), node(READ, "aaa", 10), "README", node(WRITE, "mmm", 1));
    assertThat(LockNodes.ordered(children))
        .containsExactly(node(WRITE, "mmm", 1), node("zzz", 3), node(READ, "aaa", 10));
  }

  @Test
  void findAttempt_findsTheNodeOfALostCreateReply_byKindAndAttemptId() {
    List<String> children = List.of(node("other", 1), node("mine", 2), node(READ, "mine", 3));
    assertThat(LockNodes.findAttempt(children, EXCLUSIVE, "mine")).contains(node("mine", 2));
    assertThat(LockNodes.findAttempt(children, READ, "mine")).contains(node(READ, "mine", 3));
    assertThat(LockNodes.findAttempt(children, EXCLUSIVE, "gone")).isEmpty();
  }

  @Test
  void position_firstHoldsTheMutex_othersWatchTheirPredecessor() {
    List<String> ordered = List.of(node("a", 1), node("b", 2), node("c", 3));
    assertThat(LockNodes.position(ordered, node("a", 1)).orElseThrow().granted()).isTrue();
    LockNodes.Position b = LockNodes.position(ordered, node("b", 2)).orElseThrow();
    assertThat(b.watch()).contains(node("a", 1));
    assertThat(b.watchIsTheOnlyConflict()).isTrue();
    LockNodes.Position c = LockNodes.position(ordered, node("c", 3)).orElseThrow();
    assertThat(c.watch()).contains(node("b", 2));
    assertThat(c.watchIsTheOnlyConflict()).isFalse();
    assertThat(LockNodes.position(ordered, node("d", 4))).isEmpty();
  }

  @Test
  void readers_shareAndWaitOnlyForTheNearestLowerWriter_writersWaitForAnyone() {
    String r1 = node(READ, "r1", 1);
    String w2 = node(WRITE, "w2", 2);
    String r3 = node(READ, "r3", 3);
    String r4 = node(READ, "r4", 4);
    String w5 = node(WRITE, "w5", 5);
    List<String> ordered = List.of(r1, w2, r3, r4, w5);

    assertThat(LockNodes.position(ordered, r1).orElseThrow().granted()).isTrue();
    // Kazoo 649: a reader behind a writer counts only the writer, not the granted reader before it.
    LockNodes.Position p3 = LockNodes.position(ordered, r3).orElseThrow();
    assertThat(p3.watch()).contains(w2);
    assertThat(p3.watchIsTheOnlyConflict()).isTrue();
    LockNodes.Position p4 = LockNodes.position(ordered, r4).orElseThrow();
    assertThat(p4.watch()).contains(w2);
    assertThat(p4.watchIsTheOnlyConflict()).isTrue();
    LockNodes.Position p5 = LockNodes.position(ordered, w5).orElseThrow();
    assertThat(p5.watch()).contains(r4);
    assertThat(p5.conflictsBefore()).isEqualTo(4);
    // Two readers with no writer before them are both granted.
    assertThat(LockNodes.position(List.of(r1, r3), r3).orElseThrow().granted()).isTrue();
  }
}
