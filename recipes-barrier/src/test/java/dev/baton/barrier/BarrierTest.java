package dev.baton.barrier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The barrier against a real ZooKeeper server. */
@WithZooKeeper(size = 1, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class BarrierTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ZkPath PATH = ZkPath.of("/gates/deploy");

  @Test
  void await_returnsAtOnceWhenNotSet_blocksWhileSet_andRemoveReleasesEveryWaiter(
      Baton baton, TestClients clients) throws Exception {
    Barrier gate = Barrier.create(baton, PATH);
    gate.await(WAIT); // never set
    gate.set();
    gate.set(); // idempotent
    assertThat(gate.isSet()).isTrue();
    CompletableFuture<Void> w1 = Barrier.create(clients.connect(), PATH).awaitAsync(WAIT);
    CompletableFuture<Void> w2 = Barrier.create(clients.connect(), PATH).awaitAsync(WAIT);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !w1.isDone());
    assertThat(w2).isNotDone();

    Barrier.create(clients.connect(), PATH).remove();

    w1.get(60, TimeUnit.SECONDS);
    w2.get(60, TimeUnit.SECONDS);
    assertThat(gate.isSet()).isFalse();
    gate.remove(); // idempotent
  }

  @Test
  void await_timesOutWhileSet(Baton baton) throws Exception {
    Barrier gate = Barrier.create(baton, PATH);
    gate.set();
    assertThatThrownBy(() -> gate.await(Duration.ofMillis(200)))
        .isInstanceOf(BatonTimeoutException.class)
        .hasMessageContaining(PATH.toString());
    assertThat(gate.isSet()).isTrue();
  }

  @Test
  void waiterCutOffAndHealed_orWhoseSessionExpires_isNotReleased_untilRemoved(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Barrier.create(clients.connect(), PATH).set();
    TestClients.ProxiedClient flaky = clients.connectThroughNewProxy();
    long firstSession = flaky.client().awaitSession(WAIT).id();
    CompletableFuture<Void> waiting = Barrier.create(flaky.client(), PATH).awaitAsync(WAIT);
    flaky.proxy().cutOff();
    await()
        .atMost(WAIT)
        .until(() -> flaky.client().currentSession().map(s -> !s.isConnected()).orElse(true));
    flaky.proxy().heal();
    await()
        .atMost(WAIT)
        .until(() -> flaky.client().currentSession().map(Session::isConnected).orElse(false));
    assertThat(waiting).as("released by a connection event").isNotDone();

    zk.expireSession(flaky.client());
    await()
        .atMost(WAIT)
        .until(
            () -> flaky.client().currentSession().map(s -> s.id() != firstSession).orElse(false));
    assertThat(waiting).as("released by a session event").isNotDone();

    Barrier.create(clients.connect(), PATH).remove();
    waiting.get(60, TimeUnit.SECONDS); // watched again in the new session
  }

  @Test
  void badInput_isRejectedBeforeAnythingIsWritten(Baton baton) throws Exception {
    assertThatThrownBy(() -> Barrier.create(baton, "gates//x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gates//x");
    assertThatThrownBy(() -> Barrier.create(baton, "/"))
        .isInstanceOf(IllegalArgumentException.class);
    Barrier gate = Barrier.create(baton, PATH);
    assertThatThrownBy(() -> gate.await(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> gate.awaitAsync(null)).isInstanceOf(IllegalArgumentException.class);
    Session s = baton.awaitSession(WAIT);
    assertThat(s.exists(PATH.parent().orElseThrow(), Optional.empty()).get()).isEmpty();
  }

  @Test
  void micrometer_recordsWaitTimesByOutcome(ZooKeeperEnsemble zk, TestClients clients)
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Baton metered =
        Baton.builder(zk.connectString())
            .namespace(clients.chroot().toString())
            .meterRegistry(registry)
            .build()) {
      Barrier gate = Barrier.create(metered, PATH);
      gate.await(WAIT);
      gate.set();
      assertThatThrownBy(() -> gate.await(Duration.ofMillis(100)))
          .isInstanceOf(BatonTimeoutException.class);
      for (String outcome : new String[] {"passed", "timeout"}) {
        assertThat(
                registry
                    .get("baton.barrier.wait")
                    .tags("path", PATH.toString(), "kind", "barrier", "outcome", outcome)
                    .timer()
                    .count())
            .isEqualTo(1);
      }
    }
  }
}
