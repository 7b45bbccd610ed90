package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.Hold;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;

/**
 * The core session and hold model against real servers (backend from the environment: containers in
 * CI). Each test injects faults through the testkit and checks the guard.
 */
@WithZooKeeper(size = 3, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class SessionAndHoldTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final byte[] NONE = new byte[0];

  static Hold holdNew(Session s, String path) throws Exception {
    ZkPath p = ZkPath.of(path);
    s.create(p, NONE, CreateMode.EPHEMERAL).get(30, TimeUnit.SECONDS);
    return s.hold(p).get(30, TimeUnit.SECONDS);
  }

  @Test
  void release_duringConnectionLoss_deletesTheNodeOnceTheSameSessionIsBack(
      Baton baton, ClientProxy proxy, TestClients clients) throws Exception {
    Session s = baton.awaitSession(WAIT);
    Hold hold = holdNew(s, "/released-offline");
    Session observer = clients.connect().awaitSession(WAIT);

    proxy.cutOff();
    await().atMost(WAIT).until(() -> hold.state() == HoldState.UNCERTAIN);
    CompletableFuture<Void> released = hold.release();
    assertThat(hold.state()).isEqualTo(HoldState.RELEASED);
    assertThat(observer.exists(hold.path(), Optional.empty()).get()).isPresent();
    assertThat(released).isNotDone();

    proxy.heal();
    released.get(60, TimeUnit.SECONDS);
    assertThat(observer.exists(hold.path(), Optional.empty()).get()).isEmpty();
    assertThat(s.isAlive()).isTrue();
    assertThat(hold.lost().toCompletableFuture()).isNotDone();
    assertThat(hold.release()).succeedsWithin(Duration.ofSeconds(5)); // idempotent
  }

  @Test
  void hold_onAnotherSessionsNode_isRefusedNamingBothSessions(Baton baton, TestClients clients)
      throws Exception {
    Session other = clients.connect().awaitSession(WAIT);
    other.create(ZkPath.of("/theirs"), NONE, CreateMode.EPHEMERAL).get();
    Session mine = baton.awaitSession(WAIT);
    assertThatThrownBy(() -> mine.hold(ZkPath.of("/theirs")).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/theirs")
        .hasMessageContaining(Long.toHexString(other.id()))
        .hasMessageContaining(Long.toHexString(mine.id()));
  }

  @Test
  void hold_onAPersistentNode_isRefused(Baton baton) throws Exception {
    Session s = baton.awaitSession(WAIT);
    s.create(ZkPath.of("/persistent"), NONE, CreateMode.PERSISTENT).get();
    assertThatThrownBy(() -> s.hold(ZkPath.of("/persistent")).join())
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ephemeralOwner is 0x0");
  }

  @Test
  void nodeDeletedByAnotherClient_losesTheHold_withNodeDeleted(Baton baton, TestClients clients)
      throws Exception {
    Hold hold = holdNew(baton.awaitSession(WAIT), "/deleted-by-admin");
    Session admin = clients.connect().awaitSession(WAIT);
    admin.delete(hold.path(), -1).get();
    assertThat(hold.lost().toCompletableFuture().get(60, TimeUnit.SECONDS))
        .isEqualTo(LossReason.NODE_DELETED);
    assertThat(hold.state()).isEqualTo(HoldState.LOST);
    assertThatThrownBy(hold::checkNotLost).hasMessageContaining("/deleted-by-admin");
  }

  @Test
  void listeners_seeEveryChangeInOrder_andAThrowingListenerIsReportedNotFatal(
      ClientProxy proxy, TestClients clients) throws Exception {
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    Baton baton =
        Baton.builder(proxy.connectString())
            .namespace(clients.chroot().toString())
            .sessionTimeout(Duration.ofSeconds(4))
            .connectionTimeout(Duration.ofSeconds(3))
            .errorHandler((context, error) -> reported.add(error))
            .build();
    try {
      Hold hold = holdNew(baton.awaitSession(WAIT), "/listened");
      List<String> seen = new CopyOnWriteArrayList<>();
      hold.addListener(
          e -> {
            throw new IllegalStateException("listener bug");
          });
      hold.addListener(e -> seen.add(e.from() + "->" + e.to()));
      proxy.cutOff();
      await().atMost(WAIT).until(() -> hold.state() == HoldState.UNCERTAIN);
      proxy.heal();
      await().atMost(WAIT).until(() -> hold.state() == HoldState.HELD);
      hold.release().get(30, TimeUnit.SECONDS);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(seen)
                      .containsExactly("HELD->UNCERTAIN", "UNCERTAIN->HELD", "HELD->RELEASED"));
      assertThat(reported).hasSize(3).allMatch(t -> t.getMessage().equals("listener bug"));
    } finally {
      baton.close();
    }
  }

  @Test
  void listenerAddedAfterTheHoldEnded_isToldOfTheFinalChangeAtOnce(Baton baton) throws Exception {
    Hold hold = holdNew(baton.awaitSession(WAIT), "/late-listener");
    hold.release().get(30, TimeUnit.SECONDS);
    List<String> seen = new CopyOnWriteArrayList<>();
    hold.addListener(e -> seen.add(e.from() + "->" + e.to()));
    await().atMost(WAIT).until(() -> !seen.isEmpty());
    assertThat(seen).containsExactly("HELD->RELEASED");
  }

  @Test
  void lateLostReport_forASessionThatIsStillConnected_doesNotEndItOrItsHolds(Baton baton)
      throws Exception {
    Session s = baton.awaitSession(WAIT);
    Hold hold = holdNew(s, "/late-lost");
    // Curator was seen to report LOST after the connection was back in the same session; feed
    // that report to the client's tracker directly.
    java.lang.reflect.Field f = Baton.class.getDeclaredField("tracker");
    f.setAccessible(true);
    org.apache.curator.framework.state.ConnectionStateListener tracker =
        (org.apache.curator.framework.state.ConnectionStateListener) f.get(baton);
    tracker.stateChanged(baton.curator(), org.apache.curator.framework.state.ConnectionState.LOST);
    tracker.stateChanged(
        baton.curator(), org.apache.curator.framework.state.ConnectionState.RECONNECTED);

    assertThat(s.isAlive()).isTrue();
    assertThat(hold.state()).isEqualTo(HoldState.HELD);
    assertThat(baton.currentSession()).map(Session::id).contains(s.id());
    assertThat(baton.awaitSession(WAIT)).isSameAs(s);
  }

  @Test
  void close_ofAnOwningClient_losesItsHoldsWithClientClosed_andStopsItsThreads(TestClients clients)
      throws Exception {
    Baton baton = clients.connect();
    Hold hold = holdNew(baton.awaitSession(WAIT), "/closed-with-client");
    Session observer = clients.connect().awaitSession(WAIT);

    baton.close();
    baton.close();

    assertThat(hold.state()).isEqualTo(HoldState.LOST);
    assertThat(hold.lossReason()).contains(LossReason.CLIENT_CLOSED);
    assertThat(baton.curator().getState()).isEqualTo(CuratorFrameworkState.STOPPED);
    await()
        .atMost(WAIT)
        .until(() -> observer.exists(hold.path(), Optional.empty()).get().isEmpty());
    assertThatThrownBy(baton::currentSession).isInstanceOf(IllegalStateException.class);
    String prefix = baton.name() + "-";
    await()
        .atMost(WAIT)
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith(prefix)));
  }

  @Test
  void wrap_neverClosesTheBorrowedFramework_andDeletesItsHoldNodesOnClose(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    CuratorFramework borrowed =
        CuratorFrameworkFactory.builder()
            .connectString(zk.connectString())
            .namespace(clients.chroot().toString().substring(1))
            .retryPolicy(new RetryOneTime(100))
            .build();
    borrowed.start();
    try {
      assertThat(borrowed.blockUntilConnected(60, TimeUnit.SECONDS)).isTrue();
      Baton baton = Baton.wrap(borrowed);
      Session s = baton.awaitSession(WAIT);
      Hold hold = holdNew(s, "/borrowed");
      baton.close();
      assertThat(borrowed.getState()).isEqualTo(CuratorFrameworkState.STARTED);
      assertThat(hold.lossReason()).contains(LossReason.CLIENT_CLOSED);
      assertThat(borrowed.checkExists().forPath("/borrowed")).isNull();
      assertThat(borrowed.getZookeeperClient().getZooKeeper().getSessionId()).isEqualTo(s.id());
    } finally {
      borrowed.close();
    }
  }

  @Test
  void wrap_ofAnUnstartedFramework_isRefused(ZooKeeperEnsemble zk) {
    CuratorFramework unstarted =
        CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100));
    assertThatThrownBy(() -> Baton.wrap(unstarted))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("LATENT");
  }

  @Test
  void sequentialCreate_returnsTheServersNameInsideTheNamespace(Baton baton) throws Exception {
    Session s = baton.awaitSession(WAIT);
    s.ensurePath(ZkPath.of("/seq"), CreateMode.CONTAINER).get();
    Session.Created c = s.create(ZkPath.of("/seq/n-"), NONE, CreateMode.EPHEMERAL_SEQUENTIAL).get();
    assertThat(c.path().toString()).matches("/seq/n-\\d{10}");
    assertThat(c.stat().getEphemeralOwner()).isEqualTo(s.id());
    assertThat(s.getChildren(ZkPath.of("/seq"), Optional.empty()).get())
        .containsExactly(c.path().name());
    assertThat(baton.namespace().toString()).startsWith("/baton-tests/");
  }

  @Test
  void refusedOperations_reportTheCodeAndPath(Baton baton) throws Exception {
    Session s = baton.awaitSession(WAIT);
    assertThatThrownBy(() -> s.delete(ZkPath.of("/missing"), -1).join())
        .cause()
        .isInstanceOfSatisfying(
            ZooKeeperOperationException.class,
            e -> {
              assertThat(e.code()).isEqualTo(KeeperException.Code.NONODE);
              assertThat(e.path()).contains(ZkPath.of("/missing"));
              assertThat(e.getMessage()).contains("delete /missing");
            });
    assertThatThrownBy(() -> s.create(ZkPath.of("/no/parent"), NONE, CreateMode.PERSISTENT).join())
        .cause()
        .isInstanceOf(ZooKeeperOperationException.class)
        .hasMessageContaining("/no/parent");
  }

  @Test
  void awaitSession_withNoReachableServer_timesOutNamingTheWait(
      ClientProxy proxy, TestClients clients) {
    ClientProxy dead = clients.ensemble().newProxy();
    dead.cutOff();
    Baton lonely = clients.connectThrough(dead);
    assertThatThrownBy(() -> lonely.awaitSession(Duration.ofMillis(500)))
        .isInstanceOf(BatonTimeoutException.class)
        .hasMessageContaining("waiting for a ZooKeeper session")
        .hasMessageContaining("500 ms");
  }

  @Test
  void micrometer_countsConnectionStatesAndLostHolds(ZooKeeperEnsemble zk, TestClients clients)
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Baton baton =
        Baton.builder(zk.connectString())
            .namespace(clients.chroot().toString())
            .sessionTimeout(Duration.ofSeconds(4))
            .meterRegistry(registry)
            .build()) {
      Hold hold = holdNew(baton.awaitSession(WAIT), "/metered");
      assertThat(registry.get("baton.holds.active").gauge().value()).isEqualTo(1.0);
      zk.expireSession(baton);
      await().atMost(WAIT).until(() -> hold.state() == HoldState.LOST);
      assertThat(registry.get("baton.holds.active").gauge().value()).isZero();
      assertThat(registry.get("baton.holds.lost").counters())
          .extracting(c -> c.count())
          .containsExactly(1.0);
      await()
          .atMost(WAIT)
          .until(
              () -> registry.find("baton.connection.state").tag("state", "lost").counter() != null);
    }
  }
}
