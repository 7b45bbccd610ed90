package dev.baton.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZkPathTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/a", "/a/b", "/locks/billing-1", "/a.b/c..d", "/ünïcode/名前"})
  void of_validPath_keepsItsSpelling(String path) {
    assertThat(ZkPath.of(path).toString()).isEqualTo(path);
  }

  @Test
  void of_relativePath_isRejectedNamingIt() {
    assertThatThrownBy(() -> ZkPath.of("locks/a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'locks/a'")
        .hasMessageContaining("relative");
  }

  @Test
  void of_trailingSlash_isRejected() {
    assertThatThrownBy(() -> ZkPath.of("/a/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'/a/'")
        .hasMessageContaining("trailing");
  }

  @Test
  void of_emptySegment_isRejected() {
    assertThatThrownBy(() -> ZkPath.of("/a//b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty segment");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/.", "/..", "/a/./b", "/a/../b", "/a/.."})
  void of_dotSegments_areRejected(String path) {
    assertThatThrownBy(() -> ZkPath.of(path))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relative segment");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/a\u0000b",
        "/a\u0001",
        "/a\u001fb",
        "/a\u007f",
        "/a\u009f",
        "/a\ud800",
        "/a\uf8ff",
        "/a\ufff0",
        "/a\uffff"
      })
  void of_illegalCharacters_areRejectedAndShownReadably(String path) {
    assertThatThrownBy(() -> ZkPath.of(path))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching("(?s)invalid ZooKeeper path '.*': (NUL|illegal) character.*");
  }

  @Test
  void of_emptyOrNull_isRejected() {
    assertThatThrownBy(() -> ZkPath.of("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ZkPath.of(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void child_parent_name_navigateTheTree() {
    ZkPath a = ZkPath.of("/a");
    ZkPath ab = a.child("b");
    assertThat(ab).isEqualTo(ZkPath.of("/a/b"));
    assertThat(ab.parent()).contains(a);
    assertThat(a.parent()).contains(ZkPath.root());
    assertThat(ZkPath.root().parent()).isEmpty();
    assertThat(ab.name()).isEqualTo("b");
    assertThat(ZkPath.root().child("x")).isEqualTo(ZkPath.of("/x"));
    assertThat(ab.segments()).containsExactly("a", "b");
    assertThat(ZkPath.root().resolve("x/y")).isEqualTo(ZkPath.of("/x/y"));
  }

  @Test
  void child_withSlashOrDots_isRejected() {
    ZkPath a = ZkPath.of("/a");
    assertThatThrownBy(() -> a.child("b/c")).hasMessageContaining("one segment");
    assertThatThrownBy(() -> a.child("")).hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> a.child("..")).hasMessageContaining("relative segment");
    assertThatThrownBy(() -> a.resolve("/b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void contains_isTrueForSelfAndDescendantsOnly() {
    ZkPath a = ZkPath.of("/a");
    assertThat(a.contains(ZkPath.of("/a"))).isTrue();
    assertThat(a.contains(ZkPath.of("/a/b/c"))).isTrue();
    assertThat(a.contains(ZkPath.of("/ab"))).isFalse();
    assertThat(ZkPath.root().contains(a)).isTrue();
  }
}
