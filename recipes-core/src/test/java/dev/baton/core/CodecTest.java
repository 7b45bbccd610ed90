package dev.baton.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CodecTest {

  record Settings(String name, int limit) {}

  @Test
  void utf8_roundTripsText_andRejectsMalformedBytes() {
    Codec<String> c = Codec.utf8();
    assertThat(c.decode(c.encode("grüße ✓"))).isEqualTo("grüße ✓");
    assertThatThrownBy(() -> c.decode(new byte[] {(byte) 0xC3, (byte) 0x28}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void bytes_neverSharesTheArray() {
    byte[] in = {1, 2, 3};
    byte[] encoded = Codec.bytes().encode(in);
    in[0] = 9;
    assertThat(encoded).containsExactly(1, 2, 3);
  }

  @Test
  void properties_roundTrip_andEqualValuesGiveEqualBytes() {
    Properties p = new Properties();
    p.setProperty("limit", "5");
    p.setProperty("name", "bill ing");
    byte[] a = Codec.properties().encode(p);
    assertThat(Codec.properties().decode(a)).isEqualTo(p);
    assertThat(new String(a, StandardCharsets.UTF_8)).doesNotStartWith("#");
    assertThat(Codec.properties().encode(p)).isEqualTo(a);
  }

  @Test
  void json_roundTripsARecord_andRejectsUnknownFieldsAndNull() {
    Codec<Settings> c = Codec.json(Settings.class);
    assertThat(c.decode(c.encode(new Settings("a", 3)))).isEqualTo(new Settings("a", 3));
    assertThatThrownBy(
            () -> c.decode("{\"name\":\"a\",\"limt\":3}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("Settings");
    assertThatThrownBy(() -> c.decode("null".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("null");
    assertThatThrownBy(() -> c.decode("{".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(RuntimeException.class);
  }
}
