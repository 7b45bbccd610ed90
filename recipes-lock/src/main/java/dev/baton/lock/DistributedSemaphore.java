package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.Hold;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A counting semaphore of N permits on ZooKeeper.
 *
 * <p>Layout under the semaphore's path: {@code lock/} (a {@link DistributedLock} taken only while a
 * permit is being counted and created) and {@code leases/} (one ephemeral node per permit held).
 *
 * <h2>Guarantees</h2>
 *
 * Never more than N lease nodes exist at once, whatever sessions expire or reconnect: a lease node
 * is created only by the holder of the internal lock, after it counted fewer than N leases, in one
 * multi-op that also checks its lock node, so a holder whose lock was lost in between creates
 * nothing; leases only ever disappear otherwise. Waiters queue FIFO on the internal lock, and only
 * its holder watches the leases, so a released permit wakes one waiter (no herd).
 *
 * <h2>Ownership, Loss, Fencing</h2>
 *
 * See {@link PermitLease}. A permit whose session expires is LOST (its holder is told) and counts
 * as free again at once, since the servers delete its lease node with the session.
 *
 * <h2>Reentrancy</h2>
 *
 * None: every acquire takes one more permit.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe and stateless between calls; the async form parks no thread.
 *
 * <h2>Metrics</h2>
 *
 * With a Micrometer registry on the client, the meters of {@link DistributedLock} tagged {@code
 * kind=permit}: acquires by outcome, hold time, and lost permits counted by reason.
 */
public final class DistributedSemaphore {

  private final Baton baton;
  private final ZkPath path;
  private final int permits;
  private final LockMetrics metrics;

  private DistributedSemaphore(Baton baton, ZkPath path, int permits) {
    this.baton = baton;
    this.path = path;
    this.permits = permits;
    this.metrics = LockMetrics.of(baton, path, "permit");
  }

  /**
   * A semaphore of {@code permits} at {@code path}; nothing is written until the first acquire.
   *
   * @throws IllegalArgumentException if permits &lt; 1 or the path is invalid or the root
   */
  public static DistributedSemaphore create(Baton baton, String path, int permits) {
    return create(baton, ZkPath.of(path), permits);
  }

  /** A semaphore of {@code permits} at {@code path}. */
  public static DistributedSemaphore create(Baton baton, ZkPath path, int permits) {
    Objects.requireNonNull(baton, "baton");
    Objects.requireNonNull(path, "path");
    if (permits < 1) {
      throw new IllegalArgumentException(
          "a semaphore needs at least 1 permit, not " + permits + " (at " + path + ")");
    }
    if (path.isRoot()) {
      throw new IllegalArgumentException("a semaphore cannot live at the root path '/'");
    }
    return new DistributedSemaphore(baton, path, permits);
  }

  /** The semaphore's path. */
  public ZkPath path() {
    return path;
  }

  /** N. */
  public int permits() {
    return permits;
  }

  /**
   * Waits up to {@code timeout} for a permit.
   *
   * @throws BatonTimeoutException if none was free in time (nothing is left behind)
   * @throws InterruptedException if interrupted while waiting (nothing is left behind)
   */
  public PermitLease acquire(Duration timeout) throws InterruptedException {
    return Futures.await(acquireAsync(timeout));
  }

  /** Like {@link #acquire}, empty instead of {@link BatonTimeoutException}. */
  public Optional<PermitLease> tryAcquire(Duration timeout) throws InterruptedException {
    return Futures.emptyOnTimeout(() -> acquire(timeout));
  }

  /** Acquires without blocking a thread; cancelling the future abandons the attempt. */
  public CompletableFuture<PermitLease> acquireAsync(Duration timeout) {
    DistributedLock.checkTimeout(timeout);
    if (baton.isClosed()) {
      throw new IllegalStateException("cannot acquire " + path + ": the Baton client is closed");
    }
    return LockMetrics.observe(metrics, new PermitAcquisition(this, baton, timeout).start());
  }

  /** The lease nodes the servers show now (at most {@link #permits()}). */
  public CompletableFuture<List<String>> leasesAsync() {
    return baton
        .sessionAsync()
        .thenCompose(s -> s.getChildren(leasesPath(), Optional.empty()))
        .exceptionally(Futures::noChildrenIfMissing);
  }

  /** A permit is about to be handed out. */
  PermitLease granted(Hold hold) {
    LockMetrics.watchHold(metrics, hold);
    return new PermitLease(hold, baton.aclProvider());
  }

  ZkPath lockPath() {
    return path.child("lock");
  }

  ZkPath leasesPath() {
    return path.child("leases");
  }

  @Override
  public String toString() {
    return "DistributedSemaphore[" + path + ", " + permits + " permits]";
  }
}
