package dev.baton.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.Test;

/** Option checks that need no server: every bad value is refused with a message naming it. */
class BatonBuilderTest {

  @Test
  void builder_rejectsBadValues_namingThem() {
    assertThatThrownBy(() -> Baton.builder(" ")).hasMessageContaining("connect string");
    assertThatThrownBy(() -> Baton.builder("127.0.0.1:1").sessionTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("session timeout")
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> Baton.builder("127.0.0.1:1").connectionTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connection timeout");
    assertThatThrownBy(() -> Baton.builder("127.0.0.1:1").namespace("/a//b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/a//b");
    assertThatThrownBy(() -> Baton.builder("127.0.0.1:1").namespace("/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("root");
    assertThatThrownBy(() -> Baton.builder("127.0.0.1:1").meterRegistry("not a registry"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.String");
    assertThatThrownBy(() -> Baton.builder("127.0.0.1:1").authorization("", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** NIO reports a dropped connection only after a 100 ms sleep; holds would learn that late. */
  @Test
  void anOwnedConnection_usesZooKeepersNettyClient() throws Exception {
    try (Baton baton = Baton.builder("127.0.0.1:1").build()) {
      ZKClientConfig config = baton.curator().getZookeeperClient().getZooKeeper().getClientConfig();

      assertThat(config.getProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET))
          .isEqualTo("org.apache.zookeeper.ClientCnxnSocketNetty");
    }
  }
}
