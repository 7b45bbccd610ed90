package dev.baton.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Options records validate in their constructors and never correct bad values. */
class OptionsTest {

  @Test
  void cacheOptions_rejectNegativeDepth() {
    assertThat(CacheOptions.defaults().maxDepth()).isEqualTo(Integer.MAX_VALUE);
    assertThat(CacheOptions.defaults().withMaxDepth(0).maxDepth()).isZero();
    assertThatThrownBy(() -> CacheOptions.defaults().withMaxDepth(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void invalidationOptions_needAtLeastOneRetainedEntry() {
    assertThat(InvalidationOptions.defaults().retainedEntries()).isEqualTo(1000);
    assertThatThrownBy(() -> InvalidationOptions.defaults().withRetainedEntries(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void configOptions_needAValidator_andDefaultsAcceptEverything() {
    assertThat(ConfigOptions.<String>defaults().validator().problem("x")).isEmpty();
    assertThatThrownBy(() -> ConfigOptions.<String>defaults().withValidator(null))
        .isInstanceOf(NullPointerException.class);
    ConfigOptions<String> strict =
        ConfigOptions.<String>defaults()
            .withValidator(s -> s.isEmpty() ? Optional.of("empty") : Optional.empty());
    assertThat(strict.validator().problem("")).contains("empty");
  }

  @Test
  void sequenceOf_readsEntryNames_andRefusesForeignOnes() {
    assertThat(InvalidationChannel.sequenceOf("k-0000000042")).isEqualTo(42);
    assertThat(InvalidationChannel.sequenceOf("other")).isEqualTo(-1);
    assertThat(InvalidationChannel.sequenceOf("k-x")).isEqualTo(-1);
  }

  @Test
  void payload_copiesBytes_andComparesByContent() {
    byte[] b = {1, 2};
    Payload p = Payload.of(b);
    b[0] = 9;
    assertThat(p.bytes()).containsExactly(1, 2);
    p.bytes()[1] = 7;
    assertThat(p).isEqualTo(Payload.of(new byte[] {1, 2}));
    assertThat(Payload.of(null).size()).isZero();
  }
}
