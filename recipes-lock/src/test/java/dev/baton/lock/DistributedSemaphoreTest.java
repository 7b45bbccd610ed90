package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.HoldState;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@WithZooKeeper(size = 3, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class DistributedSemaphoreTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final String PATH = "/semaphores/s";

  @Test
  void sixClientsCompetingForTwoPermits_neverHoldMoreThanTwoAtOnce(TestClients clients)
      throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger max = new AtomicInteger();
    AtomicInteger overLimit = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int c = 0; c < 6; c++) {
        DistributedSemaphore sem = DistributedSemaphore.create(clients.connect(), PATH, 2);
        runs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 8; i++) {
                    try (PermitLease permit = sem.acquire(WAIT)) {
                      int now = inside.incrementAndGet();
                      max.accumulateAndGet(now, Math::max);
                      for (int k = 0; k < 25; k++) { // hold it for some round trips
                        if (inside.get() > 2 || sem.leasesAsync().get().size() > 2) {
                          overLimit.incrementAndGet();
                        }
                      }
                      inside.decrementAndGet();
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
    assertThat(overLimit).hasValue(0);
    assertThat(max.get()).isBetween(1, 2);
    System.out.printf("[measure] semaphore(2) with 6 clients: at most %d holders%n", max.get());
  }

  @Test
  void twoPermits_areHeldAtOnce_andAThirdAcquireWaitsForOneOfThem(TestClients clients)
      throws Exception {
    PermitLease a = DistributedSemaphore.create(clients.connect(), PATH, 2).acquire(WAIT);
    PermitLease b = DistributedSemaphore.create(clients.connect(), PATH, 2).acquire(WAIT);
    DistributedSemaphore sem = DistributedSemaphore.create(clients.connect(), PATH, 2);
    assertThat(sem.leasesAsync().get()).hasSize(2);
    CompletableFuture<PermitLease> c = sem.acquireAsync(WAIT);
    assertThat(sem.tryAcquire(Duration.ofMillis(300))).isEmpty();
    assertThat(c).isNotDone();
    b.release().get(30, TimeUnit.SECONDS);
    PermitLease pc = c.get(60, TimeUnit.SECONDS);
    assertThat(a.state()).isEqualTo(HoldState.HELD);
    assertThat(sem.leasesAsync().get()).hasSize(2);
    a.close();
    pc.close();
  }

  @Test
  void permitLostToSessionExpiry_isFreeForTheNextWaiter_andItsHolderIsTold_andCounted(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Baton a =
        Baton.builder(zk.connectString())
            .namespace(clients.chroot().toString())
            .sessionTimeout(Duration.ofSeconds(4))
            .meterRegistry(registry)
            .build();
    try {
      PermitLease held = DistributedSemaphore.create(a, PATH, 1).acquire(WAIT);
      DistributedSemaphore sem = DistributedSemaphore.create(clients.connect(), PATH, 1);
      CompletableFuture<PermitLease> waiting = sem.acquireAsync(WAIT);
      assertThat(sem.tryAcquire(Duration.ofMillis(200))).isEmpty();
      assertThat(waiting).isNotDone();

      zk.expireSession(a);

      PermitLease granted = waiting.get(60, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> held.state() == HoldState.LOST);
      assertThat(granted.fencingToken()).isGreaterThan(held.fencingToken());
      assertThat(sem.leasesAsync().get()).hasSize(1);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          registry.get("baton.lock.lost").tag("kind", "permit").counter().count())
                      .isEqualTo(1));
      assertThat(
              registry
                  .get("baton.lock.acquire")
                  .tags("kind", "permit", "outcome", "acquired")
                  .timer()
                  .count())
          .isEqualTo(1);
      granted.close();
    } finally {
      a.close();
    }
  }

  @Test
  void holderCutOffPastTheSessionTimeout_neverLetsAThirdHolderIn(TestClients clients)
      throws Exception {
    TestClients.ProxiedClient a = clients.connectThroughNewProxy();
    PermitLease pa = DistributedSemaphore.create(a.client(), PATH, 2).acquire(WAIT);
    PermitLease pb = DistributedSemaphore.create(clients.connect(), PATH, 2).acquire(WAIT);
    DistributedSemaphore sem = DistributedSemaphore.create(clients.connect(), PATH, 2);
    CompletableFuture<PermitLease> c = sem.acquireAsync(WAIT);

    a.proxy().cutOff();
    await().atMost(WAIT).until(() -> pa.state() != HoldState.HELD);
    PermitLease pc = c.get(60, TimeUnit.SECONDS);
    assertThat(sem.leasesAsync().get()).hasSize(2);
    await().atMost(WAIT).until(() -> pa.state() == HoldState.LOST);
    a.proxy().heal();
    assertThat(pb.state()).isEqualTo(HoldState.HELD);
    pb.close();
    pc.close();
    await().atMost(WAIT).until(() -> sem.leasesAsync().get().isEmpty());
  }

  @Test
  void timeoutAndCancellation_leaveNoLease_andFreeTheInternalLock(TestClients clients)
      throws Exception {
    PermitLease held = DistributedSemaphore.create(clients.connect(), PATH, 1).acquire(WAIT);
    Baton b = clients.connect();
    DistributedSemaphore sem = DistributedSemaphore.create(b, PATH, 1);
    assertThat(sem.tryAcquire(Duration.ofMillis(300))).isEmpty();
    CompletableFuture<PermitLease> cancelled = sem.acquireAsync(WAIT);
    DistributedLock internal = DistributedLock.create(b, sem.lockPath());
    await().atMost(WAIT).until(() -> internal.inspect().holder().isPresent());
    cancelled.cancel(false);

    await().atMost(WAIT).until(() -> internal.inspect().holders().isEmpty());
    assertThat(internal.inspect().waiters()).isEmpty();
    assertThat(sem.leasesAsync().get()).hasSize(1);
    held.release().get(30, TimeUnit.SECONDS);
    try (PermitLease next = sem.acquire(WAIT)) {
      assertThat(next.state()).isEqualTo(HoldState.HELD);
    }
  }

  @Test
  void badInput_isRefusedClearly_andWritesNothing(Baton baton) throws Exception {
    assertThatThrownBy(() -> DistributedSemaphore.create(baton, PATH, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1 permit, not 0");
    assertThatThrownBy(() -> DistributedSemaphore.create(baton, PATH, -3))
        .hasMessageContaining("-3");
    assertThatThrownBy(() -> DistributedSemaphore.create(baton, "/", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DistributedSemaphore.create(baton, "no-slash", 1))
        .hasMessageContaining("no-slash");
    DistributedSemaphore sem = DistributedSemaphore.create(baton, PATH, 1);
    assertThatThrownBy(() -> sem.acquireAsync(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(sem.leasesAsync().get()).isEmpty();
    assertThat(
            baton
                .awaitSession(WAIT)
                .exists(sem.path(), java.util.Optional.empty())
                .get(30, TimeUnit.SECONDS))
        .isEmpty();
  }
}
