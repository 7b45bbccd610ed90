package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.Baton;
import dev.baton.core.NotAuthorizedException;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An ensemble that refuses clients without digest auth ({@code enforce.auth.enabled}): their first
 * request fails at once with a {@link NotAuthorizedException}, not a retry loop.
 */
class DigestEnforcingEnsembleTest {

  static final Duration WAIT = Duration.ofSeconds(30);

  static ZooKeeperEnsemble zk;

  @BeforeAll
  static void start() {
    zk = ZooKeeperEnsemble.builder().size(1).requireDigestAuth().start();
  }

  @AfterAll
  static void stop() {
    if (zk != null) {
      zk.close();
    }
  }

  @Test
  void clientWithDigest_works_anonymousClient_isRefused() throws Exception {
    String ns = "/enforced-" + UUID.randomUUID();
    try (Baton alice =
            Baton.builder(zk.connectString())
                .namespace(ns)
                .connectionTimeout(Duration.ofSeconds(60))
                .digestAuth("alice", "s3cret")
                .build();
        Baton anonymous =
            Baton.builder(zk.connectString())
                .namespace(ns)
                .connectionTimeout(Duration.ofSeconds(60))
                .build()) {
      Session s = alice.awaitSession(WAIT);
      s.ensurePath(ZkPath.of("/cfg"), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
      s.setData(ZkPath.of("/cfg"), "v".getBytes(StandardCharsets.UTF_8), -1)
          .get(30, TimeUnit.SECONDS);

      assertThatThrownBy(
              () ->
                  anonymous
                      .sessionAsync()
                      .thenCompose(a -> a.getData(ZkPath.of("/cfg"), Optional.empty()))
                      .get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              NotAuthorizedException.class,
              e ->
                  assertThat(e.code())
                      .isEqualTo(KeeperException.Code.SESSIONCLOSEDREQUIRESASLAUTH));
      assertThat(s.getData(ZkPath.of("/cfg"), Optional.empty()).get(30, TimeUnit.SECONDS))
          .isPresent();
    }
  }
}
