package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.HoldLostException;
import dev.baton.core.HoldState;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.FencedResource;
import dev.baton.testkit.MutualExclusionChecker;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The mutex against a real 3-node ensemble (backend from the environment: containers in CI). */
@WithZooKeeper(size = 3, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class DistributedLockTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ZkPath LOCK = ZkPath.of("/locks/a");

  /**
   * Keeps a client's session alive on the servers from a second connection (the servers move the
   * session to it), so that the client can give the session up while its nodes stay visible.
   */
  static ZooKeeper joinSession(ZooKeeperEnsemble zk, ZooKeeper handle) throws Exception {
    CountDownLatch joined = new CountDownLatch(1);
    ZooKeeper twin =
        new ZooKeeper(
            zk.connectString(),
            4000,
            e -> {
              if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                joined.countDown();
              }
            },
            handle.getSessionId(),
            handle.getSessionPasswd());
    assertThat(joined.await(30, TimeUnit.SECONDS)).isTrue();
    return twin;
  }

  static List<String> contenders(Session s) throws Exception {
    return LockNodes.ordered(s.getChildren(LOCK, Optional.empty()).get(30, TimeUnit.SECONDS));
  }

  @Test
  void acquire_whenFree_grantsWithAToken_andRelease_deletesTheNode(Baton baton) throws Exception {
    DistributedLock lock = DistributedLock.create(baton, LOCK);
    LockLease lease = lock.acquire(WAIT);
    assertThat(lease.state()).isEqualTo(HoldState.HELD);
    assertThat(lease.fencingToken()).isPositive();
    assertThat(lease.node().parent()).contains(LOCK);
    assertThat(lease.sessionId()).isEqualTo(baton.awaitSession(WAIT).id());
    LockInfo info = lock.inspect();
    assertThat(info.holder()).map(LockInfo.Contender::node).contains(lease.node());
    assertThat(info.waiters()).isEmpty();

    lease.release().get(30, TimeUnit.SECONDS);
    lease.close(); // idempotent

    assertThat(lease.state()).isEqualTo(HoldState.RELEASED);
    assertThat(contenders(baton.awaitSession(WAIT))).isEmpty();
    assertThat(lock.inspect().holder()).isEmpty();
  }

  @Test
  void eightClients_withSeparateSessions_neverOverlap_andNoStaleWriteIsAccepted(TestClients clients)
      throws Exception {
    int perClient = 12;
    MutualExclusionChecker checker = new MutualExclusionChecker();
    FencedResource resource = new FencedResource("billing");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        String name = "client-" + c;
        DistributedLock lock = DistributedLock.create(clients.connect(), LOCK);
        runs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perClient; i++) {
                    try (LockLease lease = lock.acquire(WAIT);
                        MutualExclusionChecker.Section s = checker.enter(name)) {
                      assertThat(resource.write(lease.fencingToken(), name, name + "#" + i))
                          .isTrue();
                      Thread.yield();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    checker.assertMutualExclusion();
    resource.assertNoStaleWrites();
    assertThat(checker.sectionsEntered()).isEqualTo(8 * perClient);
    assertThat(resource.acceptedWrites()).isEqualTo(8 * perClient);
    List<Long> tokens =
        resource.acceptedHistory().stream().map(FencedResource.Write::token).toList();
    assertThat(tokens).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void fencingToken_keepsGrowing_acrossDeletionAndRecreationOfTheLockParent(Baton baton)
      throws Exception {
    DistributedLock lock = DistributedLock.create(baton, LOCK);
    long first;
    try (LockLease lease = lock.acquire(WAIT)) {
      first = lease.fencingToken();
    }
    Session s = baton.awaitSession(WAIT);
    await().atMost(WAIT).until(() -> contenders(s).isEmpty());
    s.delete(LOCK, -1).exceptionally(e -> null).get(30, TimeUnit.SECONDS);
    try (LockLease lease = lock.acquire(WAIT)) {
      assertThat(lease.fencingToken()).isGreaterThan(first);
      // The sequence restarted with the new parent; the token did not.
      assertThat(LockNodes.sequence(lease.node().name())).contains(0L);
    }
  }

  @Test
  void holderSessionExpiredOnTheServer_nextIsGranted_andTheOldGuardedWriteFails(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Baton holderClient = clients.connect();
    LockLease old = DistributedLock.create(holderClient, LOCK).acquire(WAIT);
    CompletableFuture<LockLease> next =
        DistributedLock.create(clients.connect(), LOCK).acquireAsync(WAIT);
    await().atMost(WAIT).until(() -> contenders(holderClient.awaitSession(WAIT)).size() == 2);
    assertThat(next).isNotDone();

    zk.expireSession(holderClient);

    LockLease granted = next.get(60, TimeUnit.SECONDS);
    assertThat(granted.fencingToken()).isGreaterThan(old.fencingToken());
    // Before the old client hears of the expiry its write may also die with the connection the
    // servers close (outcome unknown to it); either way nothing is written (checked below).
    assertThatThrownBy(
            () ->
                old.guardedWrite()
                    .create(ZkPath.of("/stale"), new byte[0], CreateMode.PERSISTENT)
                    .commit())
        .isInstanceOfAny(HoldLostException.class, ConnectionLossException.class);
    await().atMost(WAIT).until(() -> old.state() == HoldState.LOST);
    assertThatThrownBy(
            () ->
                old.guardedWrite()
                    .create(ZkPath.of("/stale"), new byte[0], CreateMode.PERSISTENT)
                    .commit())
        .isInstanceOf(HoldLostException.class)
        .hasMessageContaining(old.node().toString());
    assertThat(
            granted
                .guardedWrite()
                .create(ZkPath.of("/fresh"), new byte[0], CreateMode.PERSISTENT)
                .commit())
        .hasSize(1);
    Session observer = clients.connect().awaitSession(WAIT);
    assertThat(observer.exists(ZkPath.of("/stale"), Optional.empty()).get()).isEmpty();
    assertThat(observer.exists(ZkPath.of("/fresh"), Optional.empty()).get()).isPresent();
    granted.close();
  }

  /**
   * Reset: every connection aborted, the holder knows at once. Silent: every byte dropped, the
   * holder knows only when its read timeout (two thirds of the session timeout) passes, the servers
   * only at the session timeout: "told before anyone else is granted" by timing, as in a real
   * network partition.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void holderCutOffPastTheSessionTimeout_isUncertainBeforeTheNextIsGranted_thenLost(
      boolean silent, TestClients clients) throws Exception {
    TestClients.ProxiedClient holder = clients.connectThroughNewProxy();
    LockLease old = DistributedLock.create(holder.client(), LOCK).acquire(WAIT);
    AtomicLong uncertainAt = new AtomicLong();
    old.addListener(
        e -> {
          if (e.to() == HoldState.UNCERTAIN) {
            uncertainAt.compareAndSet(0, System.nanoTime());
          }
        });
    CompletableFuture<LockLease> next =
        DistributedLock.create(clients.connect(), LOCK).acquireAsync(WAIT);
    AtomicLong grantedAt = new AtomicLong();
    next.thenRun(() -> grantedAt.set(System.nanoTime()));

    if (silent) {
      holder.proxy().partition();
    } else {
      holder.proxy().cutOff();
    }
    LockLease granted = next.get(60, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> uncertainAt.get() != 0);
    assertThat(uncertainAt.get()).isLessThan(grantedAt.get());
    await().atMost(WAIT).until(() -> old.state() == HoldState.LOST);
    holder.proxy().heal();
    assertThatThrownBy(() -> old.guardedWrite().check(LOCK, -1).commit())
        .isInstanceOf(HoldLostException.class);
    assertThat(granted.state()).isEqualTo(HoldState.HELD);
    granted.close();
  }

  @Test
  void leaderKilled_whileHeldAndWhileOthersWait_everyoneStillGetsTheLockInTurn(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    MutualExclusionChecker checker = new MutualExclusionChecker();
    LockLease first = DistributedLock.create(clients.connect(), LOCK).acquire(WAIT);
    List<CompletableFuture<Void>> waiters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = "waiter-" + i;
      waiters.add(
          DistributedLock.create(clients.connect(), LOCK)
              .acquireAsync(WAIT)
              .thenAccept(
                  lease -> {
                    try (lease;
                        MutualExclusionChecker.Section s = checker.enter(name)) {
                      Thread.yield();
                    }
                  }));
    }
    await().atMost(WAIT).until(() -> first.lock().inspect().waiters().size() == 3);
    int leader = zk.killLeader();
    try {
      assertThat(first.state()).isNotEqualTo(HoldState.LOST);
      try (MutualExclusionChecker.Section s = checker.enter("first")) {
        first.release();
      }
      CompletableFuture.allOf(waiters.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    } finally {
      zk.startServer(leader);
    }
    checker.assertMutualExclusion();
    assertThat(checker.sectionsEntered()).isEqualTo(4);
  }

  @Test
  void connectionLossDuringCreate_leavesNoOrphan_andTheLockStaysAcquirable(TestClients clients)
      throws Exception {
    TestClients.ProxiedClient flaky = clients.connectThroughNewProxy();
    DistributedLock lock = DistributedLock.create(flaky.client(), LOCK);
    for (int i = 0; i < 10; i++) {
      CompletableFuture<LockLease> f = lock.acquireAsync(WAIT);
      flaky.proxy().cutOffFor(Duration.ofMillis(100 + 50 * (i % 4)));
      LockLease lease = f.get(60, TimeUnit.SECONDS);
      lease.release().get(60, TimeUnit.SECONDS);
    }
    Baton other = clients.connect();
    Session s = other.awaitSession(WAIT);
    await().atMost(WAIT).until(() -> contenders(s).isEmpty());
    try (LockLease lease = DistributedLock.create(other, LOCK).acquire(Duration.ofSeconds(10))) {
      assertThat(lease.state()).isEqualTo(HoldState.HELD);
    }
  }

  @Test
  void newSessionWhileTheOldSessionsNodeIsStillVisible_isNeverGrantedThroughIt(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    TestClients.ProxiedClient c = clients.connectThroughNewProxy();
    DistributedLock lock = DistributedLock.create(c.client(), LOCK);
    LockLease old = lock.acquire(WAIT);
    ZooKeeper handle = c.client().curator().getZookeeperClient().getZooKeeper();
    long oldSession = handle.getSessionId();

    // Cut the client off, then keep its session alive on the servers from a twin connection: the
    // client gives the session up after its timeout (LOST) and later connects with a new session,
    // while the servers still show the old session's lock node.
    c.proxy().cutOff();
    await().atMost(WAIT).until(() -> old.state() == HoldState.UNCERTAIN);
    ZooKeeper twin = joinSession(zk, handle);
    try {
      await().atMost(WAIT).until(() -> old.state() == HoldState.LOST);
      CompletableFuture<LockLease> again = lock.acquireAsync(WAIT);
      c.proxy().heal();
      await()
          .atMost(WAIT)
          .until(() -> c.client().currentSession().map(s -> s.id() != oldSession).orElse(false));
      await().atMost(WAIT).until(() -> lock.inspect().waiters().size() == 1);
      LockInfo info = lock.inspect();
      assertThat(info.holder()).map(LockInfo.Contender::sessionId).contains(oldSession);
      assertThat(info.holder()).map(LockInfo.Contender::node).contains(old.node());
      assertThat(again).isNotDone(); // the old session's node is not ours: it blocks us
      twin.close(); // the old session ends; its node goes
      LockLease fresh = again.get(60, TimeUnit.SECONDS);
      assertThat(fresh.sessionId()).isNotEqualTo(oldSession);
      assertThat(fresh.fencingToken()).isGreaterThan(old.fencingToken());
      fresh.close();
    } finally {
      twin.close();
    }
  }

  @Test
  void waiterWhoseSessionIsReplaced_isNotGrantedThroughItsOldSessionsNode(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    LockLease holder = DistributedLock.create(clients.connect(), LOCK).acquire(WAIT);
    TestClients.ProxiedClient c = clients.connectThroughNewProxy();
    DistributedLock lock = DistributedLock.create(c.client(), LOCK);
    CompletableFuture<LockLease> waiting = lock.acquireAsync(Duration.ofMinutes(2));
    await().atMost(WAIT).until(() -> lock.inspect().waiters().size() == 1);
    ZooKeeper handle = c.client().curator().getZookeeperClient().getZooKeeper();
    long oldSession = handle.getSessionId();

    c.proxy().cutOff();
    ZooKeeper twin = joinSession(zk, handle);
    try {
      // The client gives its session up after the timeout; the acquire starts over in a new one.
      await()
          .atMost(WAIT)
          .until(() -> c.client().currentSession().map(s -> s.id() != oldSession).orElse(true));
      c.proxy().heal();
      await().atMost(WAIT).until(() -> lock.inspect().waiters().size() == 2);
      holder.close();
      // Now the old session's node is the lowest. It is not ours any more: no grant through it.
      await()
          .atMost(WAIT)
          .until(() -> lock.inspect().holder().map(h -> h.sessionId() == oldSession).orElse(false));
      await().during(Duration.ofMillis(800)).atMost(WAIT).until(() -> !waiting.isDone());
      twin.close();
      LockLease granted = waiting.get(60, TimeUnit.SECONDS);
      assertThat(granted.sessionId()).isNotEqualTo(oldSession);
      assertThat(granted.state()).isEqualTo(HoldState.HELD);
      granted.close();
    } finally {
      twin.close();
    }
  }

  @Test
  void releaseDuringConnectionLoss_removesTheNodeOnceReconnected_andTheNextIsGranted(
      TestClients clients) throws Exception {
    TestClients.ProxiedClient holder = clients.connectThroughNewProxy();
    LockLease lease = DistributedLock.create(holder.client(), LOCK).acquire(WAIT);
    CompletableFuture<LockLease> next =
        DistributedLock.create(clients.connect(), LOCK).acquireAsync(WAIT);
    holder.proxy().cutOff();
    await().atMost(WAIT).until(() -> lease.state() == HoldState.UNCERTAIN);

    CompletableFuture<Void> released = lease.release();
    assertThat(lease.state()).isEqualTo(HoldState.RELEASED);
    assertThat(lease.release()).isDone(); // idempotent, no exception while disconnected
    holder.proxy().heal();

    released.get(60, TimeUnit.SECONDS);
    LockLease granted = next.get(60, TimeUnit.SECONDS);
    assertThat(granted.state()).isEqualTo(HoldState.HELD);
    assertThat(holder.client().awaitSession(WAIT).id()).isEqualTo(lease.sessionId());
    granted.close();
  }

  @Test
  void middleWaiterTimesOut_andItsSuccessorWaitsOnTheHolderInstead(Baton baton, TestClients clients)
      throws Exception {
    LockLease holder = DistributedLock.create(baton, LOCK).acquire(WAIT);
    CompletableFuture<LockLease> middle =
        DistributedLock.create(clients.connect(), LOCK).acquireAsync(Duration.ofSeconds(2));
    await().atMost(WAIT).until(() -> holder.lock().inspect().waiters().size() == 1);
    CompletableFuture<LockLease> last =
        DistributedLock.create(clients.connect(), LOCK).acquireAsync(WAIT);
    await().atMost(WAIT).until(() -> holder.lock().inspect().waiters().size() == 2);

    assertThatThrownBy(() -> middle.get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(BatonTimeoutException.class)
        .hasMessageContaining("acquire " + LOCK);
    await().atMost(WAIT).until(() -> holder.lock().inspect().waiters().size() == 1);
    assertThat(last).isNotDone();

    holder.close();
    LockLease granted = last.get(60, TimeUnit.SECONDS);
    assertThat(granted.fencingToken()).isGreaterThan(holder.fencingToken());
    granted.close();
  }

  @Test
  void thousandAsyncWaitersInOneJvm_areGrantedOneByOneInOrder_withAFixedThreadCount(Baton baton)
      throws Exception {
    DistributedLock lock = DistributedLock.create(baton, LOCK);
    LockLease first = lock.acquire(WAIT);
    int threadsBefore = Thread.activeCount();
    List<String> grantedNodes = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      all.add(
          lock.acquireAsync(Duration.ofMinutes(5))
              .thenAccept(
                  lease -> {
                    grantedNodes.add(lease.node().name());
                    lease.close();
                  }));
    }
    await().atMost(WAIT).until(() -> lock.inspect().waiters().size() == 1000);
    int threadsWhileWaiting = Thread.activeCount();
    first.close();
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);

    assertThat(grantedNodes).hasSize(1000);
    List<Long> sequences =
        grantedNodes.stream().map(n -> LockNodes.sequence(n).orElseThrow()).toList();
    assertThat(sequences).isSorted().doesNotHaveDuplicates();
    assertThat(threadsWhileWaiting - threadsBefore).isLessThan(10);
    System.out.printf(
        "[measure] 1000 async waiters: %d threads before, %d while waiting%n",
        threadsBefore, threadsWhileWaiting);
  }

  @Test
  void timedOutInterruptedOrCancelledAcquires_leaveNothingBehind(Baton baton, TestClients clients)
      throws Exception {
    LockLease holder = DistributedLock.create(clients.connect(), LOCK).acquire(WAIT);
    DistributedLock lock = DistributedLock.create(baton, LOCK);

    assertThatThrownBy(() -> lock.acquire(Duration.ofMillis(300)))
        .isInstanceOf(BatonTimeoutException.class);
    assertThat(lock.tryAcquire(Duration.ofMillis(300))).isEmpty();

    CompletableFuture<LockLease> cancelled = lock.acquireAsync(WAIT);
    await().atMost(WAIT).until(() -> lock.inspect().waiters().size() == 1);
    cancelled.cancel(false);

    Thread t =
        new Thread(
            () -> {
              try {
                lock.acquire(WAIT);
              } catch (InterruptedException expected) {
                Thread.currentThread().interrupt();
              }
            });
    t.start();
    await().atMost(WAIT).until(() -> lock.inspect().waiters().size() >= 1);
    t.interrupt();
    t.join(60_000);

    await().atMost(WAIT).until(() -> lock.inspect().waiters().isEmpty());
    assertThat(lock.inspect().holder()).map(LockInfo.Contender::node).contains(holder.node());
    holder.close();
    await().atMost(WAIT).until(() -> lock.inspect().holder().isEmpty());
  }

  @Test
  void reentry_isExplicit_andTheLockIsReleasedWhenTheLastLeaseCloses(Baton baton) throws Exception {
    DistributedLock lock = DistributedLock.create(baton, LOCK);
    LockLease outer = lock.acquire(WAIT);
    // Not reentrant by acquire: a second acquire from the same client waits like anyone else.
    assertThat(lock.tryAcquire(Duration.ofMillis(300))).isEmpty();
    LockLease inner = outer.reenter();
    assertThat(inner.fencingToken()).isEqualTo(outer.fencingToken());
    outer.close();
    assertThat(inner.state()).isEqualTo(HoldState.HELD);
    assertThat(lock.inspect().holder()).isPresent();
    inner.release().get(30, TimeUnit.SECONDS);
    assertThat(outer.state()).isEqualTo(HoldState.RELEASED);
    assertThat(lock.inspect().holder()).isEmpty();
    assertThatThrownBy(outer::reenter).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void micrometer_recordsAcquiresByOutcome_holdTimes_andLosses(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Baton metered =
        Baton.builder(zk.connectString())
            .namespace(clients.chroot().toString())
            .sessionTimeout(Duration.ofSeconds(4))
            .meterRegistry(registry)
            .build()) {
      DistributedLock lock = DistributedLock.create(metered, LOCK);
      lock.acquire(WAIT).release().get(30, TimeUnit.SECONDS);
      LockLease held = DistributedLock.create(clients.connect(), LOCK).acquire(WAIT);
      assertThat(lock.tryAcquire(Duration.ofMillis(200))).isEmpty();
      held.close();
      LockLease toLose = lock.acquire(WAIT);
      zk.expireSession(metered);
      await().atMost(WAIT).until(() -> toLose.state() == HoldState.LOST);

      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(
                        registry
                            .get("baton.lock.acquire")
                            .tag("outcome", "acquired")
                            .timer()
                            .count())
                    .isEqualTo(2);
                assertThat(
                        registry
                            .get("baton.lock.acquire")
                            .tag("outcome", "timeout")
                            .timer()
                            .count())
                    .isEqualTo(1);
                assertThat(registry.get("baton.lock.held").timer().count()).isEqualTo(2);
                assertThat(registry.get("baton.lock.lost").counter().count()).isEqualTo(1);
              });
    }
  }

  @Test
  void badInput_isRefusedClearly_andWritesNothing(Baton baton) throws Exception {
    assertThatThrownBy(() -> DistributedLock.create(baton, "locks/relative"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("locks/relative");
    assertThatThrownBy(() -> DistributedLock.create(baton, "/"))
        .isInstanceOf(IllegalArgumentException.class);
    DistributedLock lock = DistributedLock.create(baton, LOCK);
    assertThatThrownBy(() -> lock.acquire(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> lock.acquireAsync(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    Session s = baton.awaitSession(WAIT);
    assertThat(s.exists(LOCK, Optional.empty()).get()).isEmpty();
    assertThat(lock.inspect().holder()).isEmpty();
  }
}
