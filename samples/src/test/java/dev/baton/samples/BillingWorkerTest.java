package dev.baton.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockLease;
import dev.baton.testkit.FencedResource;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A sample of your own test. What a test of your own code looks like with Baton's testkit: one real
 * 3-server ensemble for the class, a fresh chroot per test, clients and faults injected as
 * parameters. Copy it.
 */
@WithZooKeeper(size = 3, sessionTimeoutMillis = 4000)
class BillingWorkerTest {

  /** The code under test: writes under a lock, passing the fencing token downstream. */
  static final class BillingWorker {
    private final DistributedLock lock;
    private final FencedResource invoices;

    BillingWorker(Baton baton, FencedResource invoices) {
      this.lock = DistributedLock.create(baton, "/locks/billing");
      this.invoices = invoices;
    }

    LockLease begin() throws InterruptedException {
      return lock.acquire(Duration.ofSeconds(30));
    }

    boolean write(LockLease lease, String invoice) {
      return invoices.write(lease.fencingToken(), "worker", invoice);
    }
  }

  @Test
  void staleWorker_isFencedOff_afterItsSessionExpires(
      Baton baton, TestClients clients, ZooKeeperEnsemble zk) throws Exception {
    FencedResource invoices = new FencedResource("invoices");
    BillingWorker stalled = new BillingWorker(baton, invoices);
    BillingWorker other = new BillingWorker(clients.connect(), invoices);

    LockLease stale = stalled.begin();
    zk.expireSession(baton); // the fault: as if the worker's VM froze past its session timeout
    await().atMost(Duration.ofSeconds(30)).until(() -> stale.lost().toCompletableFuture().isDone());

    try (LockLease fresh = other.begin()) {
      assertThat(other.write(fresh, "invoice-2")).isTrue();
    }
    assertThat(stalled.write(stale, "invoice-1")).as("the late write is refused").isFalse();
    assertThat(invoices.staleWrites()).isEqualTo(1);
  }
}
