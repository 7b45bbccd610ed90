package dev.baton.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class EntriesTest {

  @Test
  void items_roundTrip_includingEmptyEntries() {
    byte[] data = Entries.encodeItems(List.of(new byte[] {1, 2}, new byte[0], new byte[] {3}));
    assertThat(Entries.decodeItems(data))
        .containsExactly(new byte[] {1, 2}, new byte[0], new byte[] {3});
    assertThat(data.length).isEqualTo(Entries.NODE_OVERHEAD + 3 * Entries.ENTRY_OVERHEAD + 3);
  }

  @Test
  void isBatch_tellsOneItemFromMany() {
    assertThat(Entries.isBatch(Entries.encodeItems(List.of(new byte[] {1})))).isFalse();
    assertThat(Entries.isBatch(Entries.encodeItems(List.of(new byte[] {1}, new byte[] {2}))))
        .isTrue();
    assertThat(Entries.isBatch(new byte[] {1, 2})).isFalse();
  }

  @Test
  void decodeItems_rejectsForeignAndTruncatedData() {
    assertThatThrownBy(() -> Entries.decodeItems("hello".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] data = Entries.encodeItems(List.of(new byte[] {1, 2, 3}));
    byte[] cut = java.util.Arrays.copyOf(data, data.length - 1);
    assertThatThrownBy(() -> Entries.decodeItems(cut)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deadLetter_roundTrips() {
    Entries.Dead d =
        Entries.decodeDead(Entries.encodeDead("i-4-0-t-0000000001#0", "boom", 3, new byte[] {9}));
    assertThat(d.itemId()).isEqualTo("i-4-0-t-0000000001#0");
    assertThat(d.reason()).isEqualTo("boom");
    assertThat(d.attempts()).isEqualTo(3);
    assertThat(d.payload()).containsExactly(9);
  }
}
