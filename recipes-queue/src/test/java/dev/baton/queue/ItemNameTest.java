package dev.baton.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemNameTest {

  static String node(int priority, long delay, String token, long seq) {
    return ItemName.prefix(priority, delay, token) + String.format("%010d", seq);
  }

  @Test
  void parse_readsWhatPrefixWrote() {
    ItemName n = ItemName.parse(node(7, 1500, "abc", 42)).orElseThrow();
    assertThat(n.priority()).isEqualTo(7);
    assertThat(n.delayMillis()).isEqualTo(1500);
    assertThat(n.token()).isEqualTo("abc");
    assertThat(n.sequence()).isEqualTo(42);
    assertThat(n.delayed()).isTrue();
  }

  @Test
  void parse_ignoresForeignNodes() {
    assertThat(ItemName.parse("lock-0000000001")).isEmpty();
    assertThat(ItemName.parse("i-x-0-t-0000000001")).isEmpty();
    assertThat(ItemName.parse("i-1-0--0000000001")).isEmpty();
    assertThat(ItemName.parse("i-1--5-t-0000000001")).isEmpty();
    assertThat(ItemName.parse("i-10-0-t-0000000001")).isEmpty();
  }

  @Test
  void order_isHighestPriorityFirst_thenBySequence() {
    List<ItemName> names = new ArrayList<>();
    names.add(ItemName.parse(node(5, 0, "a", 3)).orElseThrow());
    names.add(ItemName.parse(node(5, 0, "b", 1)).orElseThrow());
    names.add(ItemName.parse(node(9, 0, "c", 7)).orElseThrow());
    names.add(ItemName.parse(node(0, 0, "d", 0)).orElseThrow());
    names.sort(ItemName.ORDER);
    assertThat(names).extracting(ItemName::token).containsExactly("c", "b", "a", "d");
  }
}
