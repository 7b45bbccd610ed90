package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.Baton;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/** {@code @WithZooKeeper(tls = true)}: plain injected clients and TLS clients see the same data. */
@WithZooKeeper(size = 1, tls = true)
class WithZooKeeperTlsTest {

  @Test
  void injectedPlainClient_andATlsClient_shareTheEnsemble(Baton baton, ZooKeeperEnsemble zk)
      throws Exception {
    EnsembleTls tls = zk.tls().orElseThrow();
    Session plain = baton.awaitSession(Duration.ofSeconds(30));
    plain.create(ZkPath.of("/n"), new byte[] {7}, CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
    try (Baton secure =
        Baton.builder(tls.secureConnectString())
            .namespace(baton.namespace().toString())
            .tls(tls.clientSettings())
            .build()) {
      assertThat(
              secure
                  .awaitSession(Duration.ofSeconds(30))
                  .getData(ZkPath.of("/n"), Optional.empty())
                  .get(30, TimeUnit.SECONDS)
                  .orElseThrow()
                  .data())
          .containsExactly(7);
    }
  }
}
