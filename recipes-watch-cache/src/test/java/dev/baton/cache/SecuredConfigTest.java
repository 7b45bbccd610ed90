package dev.baton.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.Baton;
import dev.baton.core.Codec;
import dev.baton.core.NotAuthorizedException;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A config node written with creator-only ACLs (digest auth): the same credentials subscribe
 * normally; a client without them gets a clear {@link NotAuthorizedException} once, not a retry
 * loop and not a silent "absent".
 */
class SecuredConfigTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static ZooKeeperEnsemble zk;

  @BeforeAll
  static void start() {
    zk = ZooKeeperEnsemble.builder().size(1).start();
  }

  @AfterAll
  static void stop() {
    if (zk != null) {
      zk.close();
    }
  }

  static Baton.Builder client() {
    return Baton.builder(zk.connectString())
        .namespace("/secured-config")
        .sessionTimeout(Duration.ofSeconds(6))
        // Far longer than WAIT: a retried authorization error would still be running at WAIT.
        .connectionTimeout(Duration.ofSeconds(90));
  }

  @Test
  void protectedConfig_isReadBySameCredentials_andRefusedToOthersWithAClearError()
      throws Exception {
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    try (Baton owner = client().digestAuth("ops", "pw").build();
        Baton outsider = client().errorHandler((what, e) -> reported.add(e)).build()) {
      Session s = owner.awaitSession(WAIT);
      ZkPath path = ZkPath.of("/config/app");
      s.ensurePath(path.parent().orElseThrow(), CreateMode.PERSISTENT).get();
      s.create(path, "v1".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT).get();

      try (ConfigSubscription<String> mine =
          ConfigSubscription.create(owner, "/config/app", Codec.utf8())) {
        assertThat(mine.awaitValue(WAIT)).isEqualTo("v1");
      }
      try (ConfigSubscription<String> theirs =
          ConfigSubscription.create(outsider, "/config/app", Codec.utf8())) {
        assertThatThrownBy(() -> theirs.awaitValue(WAIT))
            .isInstanceOf(NotAuthorizedException.class);
        assertThat(theirs.current()).isEmpty();
      }
      assertThat(reported).isNotEmpty().allMatch(e -> e instanceof NotAuthorizedException);
    }
  }
}
