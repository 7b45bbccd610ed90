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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/**
 * The countdown latch against a real ZooKeeper server. Connection timeout below the cut-offs, so a
 * cut-off client's operations really fail with connection loss and are retried.
 */
@WithZooKeeper(size = 1, sessionTimeoutMillis = 10000, connectionTimeoutMillis = 1500)
class DistributedCountDownLatchTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ZkPath PATH = ZkPath.of("/latches/load");

  static List<String> countDowns(Session s) throws Exception {
    return s.getChildren(PATH, Optional.empty()).get(30, TimeUnit.SECONDS).stream()
        .filter(c -> c.startsWith(DistributedCountDownLatch.COUNT_DOWN_PREFIX))
        .toList();
  }

  @Test
  void threeClientsConcurrently_withACutOffClientRetrying_applyEveryCountDownExactlyOnce(
      TestClients clients) throws Exception {
    int perClient = 10;
    int n = 3 * perClient + 1; // one more than the three clients count: zero only if none doubled
    TestClients.ProxiedClient flaky = clients.connectThroughNewProxy();
    List<Baton> counters = List.of(clients.connect(), clients.connect(), flaky.client());
    Session observer = clients.connect().awaitSession(WAIT);
    List<Integer> seenByAwaiter = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> zero =
        DistributedCountDownLatch.create(clients.connect(), PATH, n).awaitAsync(WAIT);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        DistributedCountDownLatch latch =
            DistributedCountDownLatch.create(counters.get(c), PATH, n);
        boolean cutOff = c == 2;
        runs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perClient; i++) {
                    if (cutOff && i == 3) {
                      // Longer than the connection timeout: the count-down's reads fail with
                      // connection loss and the call retries once the proxy heals.
                      flaky.proxy().cutOffFor(Duration.ofMillis(2500));
                      latch.countDown(WAIT);
                    } else if (cutOff && i == 6) {
                      // Cut while the create may be in flight: its reply may be lost.
                      CompletableFuture<Void> sent = latch.countDownAsync(WAIT);
                      flaky.proxy().cutOffFor(Duration.ofMillis(300));
                      sent.get(60, TimeUnit.SECONDS);
                    } else {
                      latch.countDown(WAIT);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get(3, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    DistributedCountDownLatch latch = DistributedCountDownLatch.create(clients.connect(), PATH, n);
    assertThat(countDowns(observer)).hasSize(3 * perClient);
    assertThat(latch.count()).isEqualTo(1);
    assertThat(zero).isNotDone();

    latch.countDown(WAIT);
    zero.get(60, TimeUnit.SECONDS);
    assertThat(latch.count()).isZero();
    latch.countDown(WAIT); // at zero: no effect, nothing written
    assertThat(latch.count()).isZero();
    assertThat(countDowns(observer)).hasSize(n);
    seenByAwaiter.add(latch.count());
    assertThat(seenByAwaiter).containsOnly(0);
  }

  @Test
  void countDownRetriedAfterALostReply_isAppliedOnce(Baton baton) throws Exception {
    DistributedCountDownLatch latch = DistributedCountDownLatch.create(baton, PATH, 3);
    assertThat(latch.count()).isEqualTo(3);
    // A first try whose create reached the servers but whose reply was lost left its child; the
    // retry of the same call (same id) must find it and not count again.
    Session s = baton.awaitSession(WAIT);
    s.create(PATH.child("d-call-1"), new byte[0], CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
    latch.countDownAsync(WAIT, "call-1").get(30, TimeUnit.SECONDS);
    assertThat(latch.count()).isEqualTo(2);
    latch.countDownAsync(WAIT, "call-1").get(30, TimeUnit.SECONDS);
    assertThat(latch.count()).isEqualTo(2);
    latch.countDownAsync(WAIT, "call-2").get(30, TimeUnit.SECONDS);
    assertThat(latch.count()).isEqualTo(1);
  }

  @Test
  void awaiterWhoseSessionExpires_waitsOnInTheNextSession(ZooKeeperEnsemble zk, TestClients clients)
      throws Exception {
    Baton awaiterClient = clients.connect();
    long firstSession = awaiterClient.awaitSession(WAIT).id();
    DistributedCountDownLatch latch = DistributedCountDownLatch.create(awaiterClient, PATH, 2);
    CompletableFuture<Void> zero = latch.awaitAsync(WAIT);
    DistributedCountDownLatch other = DistributedCountDownLatch.create(clients.connect(), PATH, 2);
    other.countDown(WAIT);
    zk.expireSession(awaiterClient);
    await()
        .atMost(WAIT)
        .until(() -> awaiterClient.currentSession().map(x -> x.id() != firstSession).orElse(false));
    assertThat(zero).isNotDone();
    other.countDown(WAIT);
    zero.get(60, TimeUnit.SECONDS);
  }

  @Test
  void await_timesOut_andAMismatchedCountIsRefused(Baton baton, TestClients clients)
      throws Exception {
    DistributedCountDownLatch latch = DistributedCountDownLatch.create(baton, PATH, 2);
    assertThatThrownBy(() -> latch.await(Duration.ofMillis(200)))
        .isInstanceOf(BatonTimeoutException.class)
        .hasMessageContaining(PATH.toString());
    assertThatThrownBy(() -> DistributedCountDownLatch.create(clients.connect(), PATH, 5).count())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(PATH.toString())
        .hasMessageContaining("'2'");
  }

  @Test
  void badInput_isRejectedBeforeAnythingIsWritten(Baton baton) throws Exception {
    assertThatThrownBy(() -> DistributedCountDownLatch.create(baton, PATH, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(PATH.toString());
    assertThatThrownBy(() -> DistributedCountDownLatch.create(baton, "/latches/bad\u0001", 1))
        .isInstanceOf(IllegalArgumentException.class);
    DistributedCountDownLatch latch = DistributedCountDownLatch.create(baton, PATH, 2);
    assertThatThrownBy(() -> latch.countDown(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> latch.await(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    Session s = baton.awaitSession(WAIT);
    assertThat(s.exists(PATH.parent().orElseThrow(), Optional.empty()).get()).isEmpty();
  }
}
