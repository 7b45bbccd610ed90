package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.Hold;
import dev.baton.core.HoldEvent;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/**
 * What every backend must do, run once per backend by its subclass. One ensemble per class (from
 * {@link WithZooKeeper}); tests that break a server put it back before they end.
 */
abstract class EnsembleContract {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final byte[] NO_DATA = new byte[0];

  abstract Backend backend();

  @Test
  void ensemble_ofThree_servesWritesWithOneLeader(ZooKeeperEnsemble zk, Baton baton)
      throws Exception {
    assertThat(zk.backend()).isEqualTo(backend());
    assertThat(zk.size()).isEqualTo(3);
    assertThat(zk.clientPorts()).hasSize(3).doesNotHaveDuplicates();
    int leader = zk.leader();
    for (int id = 1; id <= 3; id++) {
      assertThat(zk.mode(id)).contains(id == leader ? "leader" : "follower");
    }
    Session s = baton.awaitSession(WAIT);
    Session.Created c =
        s.create(ZkPath.of("/written"), "v".getBytes(), CreateMode.PERSISTENT)
            .get(30, TimeUnit.SECONDS);
    assertThat(c.path()).isEqualTo(ZkPath.of("/written"));
    assertThat(s.exists(ZkPath.of("/written"), Optional.empty()).get()).isPresent();
    System.out.printf(
        "[measure] %s ensemble of 3 started in %d ms%n",
        backend().envName(), zk.startTime().toMillis());
  }

  @Test
  void killLeader_writesResumeUnderADifferentLeader(ZooKeeperEnsemble zk, Baton baton)
      throws Exception {
    Session s = baton.awaitSession(WAIT);
    s.create(ZkPath.of("/before"), NO_DATA, CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
    long t0 = System.nanoTime();
    int old = zk.killLeader();
    try {
      assertThat(zk.isRunning(old)).isFalse();
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(
              () -> {
                baton
                    .awaitSession(Duration.ofSeconds(5))
                    .create(ZkPath.of("/after"), NO_DATA, CreateMode.PERSISTENT)
                    .get(5, TimeUnit.SECONDS);
                return true;
              });
      System.out.printf(
          "[measure] %s: writes resumed %d ms after killing leader %d%n",
          backend().envName(), (System.nanoTime() - t0) / 1_000_000, old);
      int fresh = zk.leader();
      assertThat(fresh).isNotEqualTo(old);
      assertThat(baton.awaitSession(WAIT).exists(ZkPath.of("/before"), Optional.empty()).get())
          .isPresent();
    } finally {
      zk.startServer(old);
    }
    assertThat(zk.isServing(old)).isTrue();
  }

  @Test
  void sessionExpiry_movesHoldToLost_andTheClientGetsANewSession(ZooKeeperEnsemble zk, Baton baton)
      throws Exception {
    Session first = baton.awaitSession(WAIT);
    ZkPath node = ZkPath.of("/held");
    first.create(node, NO_DATA, CreateMode.EPHEMERAL).get(30, TimeUnit.SECONDS);
    Hold hold = first.hold(node).get(30, TimeUnit.SECONDS);
    List<HoldEvent> events = new CopyOnWriteArrayList<>();
    hold.addListener(events::add);
    assertThat(hold.state()).isEqualTo(HoldState.HELD);

    zk.expireSession(baton);

    await().atMost(WAIT).until(() -> hold.state() == HoldState.LOST);
    // The servers delete the session's nodes as they end it: the deletion can reach a connected
    // client before the
    // expiry does, so the hold may say NODE_DELETED; the session itself then ends as
    // SESSION_EXPIRED.
    assertThat(hold.lossReason().get()).isIn(LossReason.SESSION_EXPIRED, LossReason.NODE_DELETED);
    assertThat(hold.lost().toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo(hold.lossReason().get());
    assertThat(first.ended().toCompletableFuture().get(60, TimeUnit.SECONDS))
        .isEqualTo(LossReason.SESSION_EXPIRED);
    await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e.to() == HoldState.LOST));
    // Whether the closed connection (UNCERTAIN) or the deletion/expiry (LOST) arrives first is a
    // race; never HELD.
    assertThat(events)
        .extracting(HoldEvent::to)
        .endsWith(HoldState.LOST)
        .doesNotContain(HoldState.HELD, HoldState.RELEASED);

    await().atMost(WAIT).until(() -> baton.awaitSession(WAIT).id() != first.id());
    Session second = baton.awaitSession(WAIT);
    assertThat(second.epoch()).isGreaterThan(first.epoch());
    assertThat(first.isAlive()).isFalse();
    // The server deleted the old session's node; nothing brings it back in the new session.
    assertThat(second.exists(node, Optional.empty()).get()).isEmpty();
    assertThat(hold.state()).isEqualTo(HoldState.LOST);

    // An operation bound to the old epoch fails clearly and is not replayed in the new session.
    ZkPath late = ZkPath.of("/late");
    assertThatThrownBy(() -> first.create(late, NO_DATA, CreateMode.EPHEMERAL).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(SessionLostException.class)
        .hasMessageContaining(Long.toHexString(first.id()));
    assertThat(second.exists(late, Optional.empty()).get()).isEmpty();
  }

  @Test
  void cutOffClient_seesUncertain_thenHeldAgain_whenHealedBeforeTheSessionTimeout(
      Baton baton, ClientProxy proxy) throws Exception {
    Session s = baton.awaitSession(WAIT);
    ZkPath node = ZkPath.of("/briefly-cut");
    s.create(node, NO_DATA, CreateMode.EPHEMERAL).get(30, TimeUnit.SECONDS);
    Hold hold = s.hold(node).get(30, TimeUnit.SECONDS);
    List<HoldState> seen = new CopyOnWriteArrayList<>();
    hold.addListener(e -> seen.add(e.to()));

    proxy.cutOff();
    await().atMost(baton.connectionTimeout()).until(() -> hold.state() == HoldState.UNCERTAIN);
    proxy.heal();

    await().atMost(WAIT).until(() -> hold.state() == HoldState.HELD);
    assertThat(baton.awaitSession(WAIT).id()).isEqualTo(s.id());
    await().atMost(WAIT).until(() -> seen.size() >= 2);
    assertThat(seen).containsExactly(HoldState.UNCERTAIN, HoldState.HELD);
  }

  @Test
  void cutOffClient_healedAfterTheSessionTimeout_endsLost(
      Baton baton, ClientProxy proxy, TestClients clients) throws Exception {
    Session s = baton.awaitSession(WAIT);
    ZkPath node = ZkPath.of("/long-cut");
    s.create(node, NO_DATA, CreateMode.EPHEMERAL).get(30, TimeUnit.SECONDS);
    Hold hold = s.hold(node).get(30, TimeUnit.SECONDS);
    Baton observer = clients.connect();
    Session watcherSession = observer.awaitSession(WAIT);

    proxy.cutOff();
    await().atMost(baton.connectionTimeout()).until(() -> hold.state() != HoldState.HELD);
    // The servers end the session once the timeout passes without a heartbeat, and delete its node.
    await().atMost(WAIT).until(() -> watcherSession.exists(node, Optional.empty()).get().isEmpty());
    await().atMost(WAIT).until(() -> hold.state() == HoldState.LOST);
    proxy.heal();

    assertThat(hold.lossReason()).isPresent();
    await()
        .atMost(WAIT)
        .until(() -> baton.currentSession().map(x -> x.id() != s.id()).orElse(false));
    assertThat(hold.state()).isEqualTo(HoldState.LOST);
  }

  @Test
  void stopThenStartOrRestart_bringsAServerBackServingTheData(
      ZooKeeperEnsemble zk, Baton baton, TestClients clients) throws Exception {
    Session s = baton.awaitSession(WAIT);
    s.create(ZkPath.of("/kept"), "before-restart".getBytes(), CreateMode.PERSISTENT)
        .get(30, TimeUnit.SECONDS);
    int leader = zk.leader();
    int follower = leader == 3 ? 2 : 3;
    zk.stopServer(follower);
    assertThat(zk.isRunning(follower)).isFalse();
    assertThat(zk.isServing(follower)).isFalse();

    zk.startServer(follower);
    assertThat(zk.isServing(follower)).isTrue();
    zk.restartServer(follower);
    assertThat(zk.isServing(follower)).isTrue();
    // Read from the restarted server alone: it serves the data written before it stopped.
    try (Baton direct =
        Baton.builder(zk.connectString(follower)).namespace(clients.chroot().toString()).build()) {
      Session d = direct.awaitSession(WAIT);
      assertThat(d.exists(ZkPath.of("/kept"), Optional.empty()).get(30, TimeUnit.SECONDS))
          .isPresent();
    }
  }

  @Test
  void pause_stopsAServerFromServing_untilResumed(ZooKeeperEnsemble zk) {
    int leader = zk.leader();
    int follower = leader == 1 ? 2 : 1;
    if (backend() == Backend.IN_PROCESS) {
      assertThatThrownBy(() -> zk.pauseServer(follower))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("cannot pause server " + follower);
      return;
    }
    zk.pauseServer(follower);
    try {
      assertThat(zk.isPaused(follower)).isTrue();
      assertThat(zk.isServing(follower)).isFalse();
    } finally {
      zk.resumeServer(follower);
    }
    await().atMost(WAIT).until(() -> zk.isServing(follower));
  }
}
