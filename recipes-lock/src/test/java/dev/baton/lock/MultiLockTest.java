package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.HoldLostException;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.MutualExclusionChecker;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/** The multi-lock against a real 3-node ensemble (backend from the environment). */
@WithZooKeeper(size = 3, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class MultiLockTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ZkPath A = ZkPath.of("/locks/a");
  static final ZkPath B = ZkPath.of("/locks/b");
  static final ZkPath C = ZkPath.of("/locks/c");

  static List<String> contenders(Session s, ZkPath lock) throws Exception {
    return LockNodes.ordered(
        s.getChildren(lock, Optional.empty())
            .exceptionally(e -> List.of())
            .get(30, TimeUnit.SECONDS));
  }

  static LockInfo inspect(Baton baton, ZkPath lock) throws InterruptedException {
    return DistributedLock.create(baton, lock).inspect();
  }

  @Test
  void acquire_ofThreePathsInAnyOrder_holdsAllInPathOrder_andRelease_deletesEveryNode(Baton baton)
      throws Exception {
    MultiLock lock = MultiLock.create(baton, List.of(C, A, B, A));
    assertThat(lock.paths()).containsExactly(A, B, C);

    MultiLease lease = lock.acquire(WAIT);

    assertThat(lease.state()).isEqualTo(HoldState.HELD);
    assertThat(lease.leases()).extracting(l -> l.lock().path()).containsExactly(A, B, C);
    assertThat(lease.fencingTokens().keySet()).containsExactly(A, B, C);
    assertThat(lease.fencingTokens().values()).allMatch(t -> t > 0);
    long session = baton.awaitSession(WAIT).id();
    for (LockLease l : lease.leases()) {
      assertThat(l.sessionId()).isEqualTo(session);
      assertThat(inspect(baton, l.lock().path()).holder())
          .map(LockInfo.Contender::node)
          .contains(l.node());
    }

    lease.release().get(30, TimeUnit.SECONDS);
    lease.close(); // idempotent
    assertThat(lease.release()).isDone();

    assertThat(lease.state()).isEqualTo(HoldState.RELEASED);
    assertThat(lease.leases()).allMatch(l -> l.state() == HoldState.RELEASED);
    Session s = baton.awaitSession(WAIT);
    for (ZkPath p : List.of(A, B, C)) {
      assertThat(contenders(s, p)).isEmpty();
    }
    assertThat(lease.lost().toCompletableFuture()).isNotDone();
  }

  @Test
  void twoMultiLocks_withOverlappingPathsInOppositeOrder_neverDeadlock(TestClients clients)
      throws Exception {
    int rounds = 20;
    MutualExclusionChecker onA = new MutualExclusionChecker();
    MutualExclusionChecker onB = new MutualExclusionChecker();
    List<MultiLock> locks =
        List.of(
            MultiLock.create(clients.connect(), "/locks/a", "/locks/b"),
            MultiLock.create(clients.connect(), "/locks/b", "/locks/a"));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        String name = "client-" + c;
        MultiLock lock = locks.get(c);
        runs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < rounds; i++) {
                    try (MultiLease lease = lock.acquire(WAIT);
                        MutualExclusionChecker.Section a = onA.enter(name);
                        MutualExclusionChecker.Section b = onB.enter(name)) {
                      assertThat(lease.state()).isEqualTo(HoldState.HELD);
                      Thread.yield();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get(2, TimeUnit.MINUTES); // a deadlock would surface here as a timeout
      }
    } finally {
      pool.shutdownNow();
    }
    onA.assertMutualExclusion();
    onB.assertMutualExclusion();
    assertThat(onA.overlaps()).isEmpty();
    assertThat(onB.overlaps()).isEmpty();
    assertThat(onA.sectionsEntered()).isEqualTo(2 * rounds);
    assertThat(onB.sectionsEntered()).isEqualTo(2 * rounds);
  }

  @Test
  void laterPathHeldElsewhere_acquireTimesOutNamingIt_andTheEarlierPathIsReleasedFirst(
      Baton baton, TestClients clients) throws Exception {
    LockLease other = DistributedLock.create(clients.connect(), B).acquire(WAIT);
    MultiLock lock = MultiLock.create(baton, List.of(B, A));

    assertThatThrownBy(() -> lock.acquire(Duration.ofMillis(500)))
        .isInstanceOf(BatonTimeoutException.class)
        .hasMessageContaining("acquire " + B)
        .satisfies(e -> assertThat(((BatonTimeoutException) e).timeout()).hasMillis(500));
    // Released before the failure is reported: a read sent by the client the moment the future
    // fails (ZooKeeper keeps one client's requests in order) already finds /locks/a free.
    LockInfo atFailure =
        lock.acquireAsync(Duration.ofMillis(500))
            .handle((lease, error) -> error)
            .thenCompose(
                error -> {
                  assertThat(error).isInstanceOf(BatonTimeoutException.class);
                  return DistributedLock.create(baton, A).inspectAsync();
                })
            .get(60, TimeUnit.SECONDS);
    assertThat(atFailure.holders()).isEmpty();
    assertThat(atFailure.waiters()).isEmpty();
    assertThat(lock.tryAcquire(Duration.ofMillis(300))).isEmpty();
    assertThat(inspect(baton, A).holders()).isEmpty();

    await().atMost(WAIT).until(() -> inspect(baton, B).waiters().isEmpty());
    assertThat(inspect(baton, B).holder()).map(LockInfo.Contender::node).contains(other.node());
    other.release().get(30, TimeUnit.SECONDS);
    try (MultiLease lease = lock.acquire(WAIT)) {
      assertThat(lease.state()).isEqualTo(HoldState.HELD);
    }
  }

  @Test
  void cancellingAcquireAsync_whileWaiting_abandonsTheWaitAndReleasesWhatWasTaken(
      Baton baton, TestClients clients) throws Exception {
    LockLease other = DistributedLock.create(clients.connect(), B).acquire(WAIT);
    MultiLock lock = MultiLock.create(baton, "/locks/a", "/locks/b");
    CompletableFuture<MultiLease> pending = lock.acquireAsync(WAIT);
    await().atMost(WAIT).until(() -> inspect(baton, B).waiters().size() == 1);
    assertThat(inspect(baton, A).holders()).hasSize(1);

    assertThat(pending.cancel(false)).isTrue();

    await()
        .atMost(WAIT)
        .until(
            () -> inspect(baton, A).holders().isEmpty() && inspect(baton, B).waiters().isEmpty());
    assertThat(inspect(baton, B).holder()).map(LockInfo.Contender::node).contains(other.node());
    other.release().get(30, TimeUnit.SECONDS);
    MultiLease lease = lock.acquireAsync(WAIT).get(60, TimeUnit.SECONDS);
    assertThat(lease.state()).isEqualTo(HoldState.HELD);
    lease.release().get(30, TimeUnit.SECONDS);
  }

  @Test
  void guardedWrite_commitsWithEveryLockChecked_andFailsAtomicallyOnceTheHolderSessionExpires(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Baton holder = clients.connect();
    MultiLease lease = MultiLock.create(holder, List.of(A, B)).acquire(WAIT);
    assertThat(
            lease
                .guardedWrite()
                .create(ZkPath.of("/fresh"), bytes("1"), CreateMode.PERSISTENT)
                .commit())
        .hasSize(1); // the lock checks' results are left out

    zk.expireSession(holder);

    // Before the client has heard of the expiry, the server refuses the write; the client may see
    // that as a lost connection (outcome unknown to it) rather than as the loss.
    assertThatThrownBy(() -> staleWrite(lease))
        .isInstanceOfAny(HoldLostException.class, ConnectionLossException.class);
    // SESSION_EXPIRED, or NODE_DELETED when the node's watch fires before the expiry is heard of.
    assertThat(lease.lost().toCompletableFuture().get(60, TimeUnit.SECONDS)).isNotNull();
    assertThat(lease.state()).isEqualTo(HoldState.LOST);
    assertThatThrownBy(() -> staleWrite(lease)).isInstanceOf(HoldLostException.class);
    Session observer = clients.connect().awaitSession(WAIT);
    assertThat(observer.exists(ZkPath.of("/stale"), Optional.empty()).get()).isEmpty();
    assertThat(dataOf(clients, "/fresh")).isEqualTo("1");
  }

  @Test
  void guardedWrite_whenOneLockNodeIsDeleted_failsNamingThatNode_andWritesNothing(
      Baton baton, TestClients clients) throws Exception {
    MultiLease lease = MultiLock.create(baton, List.of(A, B, C)).acquire(WAIT);
    LockLease middle = lease.leases().get(1);
    Session observer = clients.connect().awaitSession(WAIT);
    observer.delete(middle.node(), -1).get(30, TimeUnit.SECONDS);

    assertThatThrownBy(
            () ->
                lease
                    .guardedWrite()
                    .create(ZkPath.of("/stale"), new byte[0], CreateMode.PERSISTENT)
                    .commit())
        .isInstanceOfSatisfying(
            HoldLostException.class,
            e -> {
              assertThat(e.path()).isEqualTo(middle.node());
              assertThat(e.reason()).isEqualTo(LossReason.NODE_DELETED);
            });
    assertThat(lease.lost().toCompletableFuture().get(60, TimeUnit.SECONDS))
        .isEqualTo(LossReason.NODE_DELETED);
    assertThat(lease.state()).isEqualTo(HoldState.LOST);
    assertThat(lease.leases().get(0).state()).isEqualTo(HoldState.HELD);
    assertThat(observer.exists(ZkPath.of("/stale"), Optional.empty()).get()).isEmpty();
    lease.release().get(30, TimeUnit.SECONDS);
    assertThat(lease.state()).isEqualTo(HoldState.LOST); // a loss stays reported
    // Another client may read from a server that has not applied the deletes yet (ZooKeeper
    // promises read-your-writes only within one client): seen once in CI.
    await().atMost(WAIT).until(() -> contenders(observer, A).isEmpty());
    await().atMost(WAIT).until(() -> contenders(observer, C).isEmpty());
  }

  @Test
  void earlierLeaseLost_whileALaterLockIsAwaited_startsOverAndHandsOutOneSession(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Baton holder = clients.connect();
    long firstSession = holder.awaitSession(WAIT).id();
    LockLease other = DistributedLock.create(clients.connect(), B).acquire(WAIT);
    CompletableFuture<MultiLease> pending =
        MultiLock.create(holder, List.of(A, B)).acquireAsync(WAIT);
    await().atMost(WAIT).until(() -> inspect(holder, B).waiters().size() == 1);

    zk.expireSession(holder);
    await()
        .atMost(WAIT)
        .until(
            () ->
                holder.currentSession().map(Session::id).orElse(firstSession) != firstSession
                    && inspect(holder, B).waiters().size() == 1);
    other.release().get(30, TimeUnit.SECONDS);

    MultiLease lease = pending.get(60, TimeUnit.SECONDS);
    assertThat(lease.state()).isEqualTo(HoldState.HELD);
    long newSession = holder.awaitSession(WAIT).id();
    assertThat(lease.leases()).allMatch(l -> l.sessionId() == newSession);
    assertThat(lease.guardedWrite().check(A, -1).commit()).hasSize(1);
    lease.release().get(30, TimeUnit.SECONDS);
  }

  @Test
  void state_isUncertainWhileCutOff_andHeldAgainWhenTheSameSessionReturns(TestClients clients)
      throws Exception {
    TestClients.ProxiedClient flaky = clients.connectThroughNewProxy();
    MultiLease lease = MultiLock.create(flaky.client(), List.of(A, B)).acquire(WAIT);
    flaky.proxy().cutOff();
    await().atMost(WAIT).until(() -> lease.state() == HoldState.UNCERTAIN);
    flaky.proxy().heal();
    await().atMost(WAIT).until(() -> lease.state() == HoldState.HELD);
    assertThat(lease.lost().toCompletableFuture()).isNotDone();
    lease.release().get(30, TimeUnit.SECONDS);
  }

  @Test
  void badInput_isRefusedClearly_andWritesNothing(Baton baton) throws Exception {
    assertThatThrownBy(() -> MultiLock.create(baton))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one path");
    assertThatThrownBy(() -> MultiLock.create(baton, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one path");
    assertThatThrownBy(() -> MultiLock.create(baton, (Collection<ZkPath>) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MultiLock.create(baton, (String[]) null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MultiLock.create(baton, Arrays.asList(A, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> MultiLock.create(baton, "/locks/a", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("#1");
    assertThatThrownBy(() -> MultiLock.create(baton, "/locks/a", "locks/relative"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("locks/relative");
    assertThatThrownBy(() -> MultiLock.create(baton, "/locks/a", "/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("root");
    assertThatThrownBy(() -> MultiLock.create(null, List.of(A)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baton");
    MultiLock lock = MultiLock.create(baton, List.of(A, B));
    assertThatThrownBy(() -> lock.acquire(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> lock.acquireAsync(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    Session s = baton.awaitSession(WAIT);
    assertThat(s.exists(A, Optional.empty()).get()).isEmpty();
    assertThat(s.exists(B, Optional.empty()).get()).isEmpty();
  }

  private static void staleWrite(MultiLease lease) throws InterruptedException {
    lease
        .guardedWrite()
        .setData(ZkPath.of("/fresh"), bytes("stale"))
        .create(ZkPath.of("/stale"), new byte[0], CreateMode.PERSISTENT)
        .commit();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String dataOf(TestClients clients, String path) throws Exception {
    byte[] data = clients.connect().curator().getData().forPath(path);
    return new String(data, StandardCharsets.UTF_8);
  }
}
