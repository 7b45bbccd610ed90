package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.HoldLostException;
import dev.baton.core.HoldState;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;

/**
 * One call to {@link DistributedSemaphore#acquireAsync}: take the semaphore's internal lock, count
 * the leases (watching them while all N are taken), create a lease in one multi-op with a check of
 * the lock node, register it as a hold, give the lock back.
 *
 * <h2>Concurrency</h2>
 *
 * Chained futures on ZooKeeper's callback thread; the timeout and cancellation race with them and
 * are settled by the {@code done} flag: a permit created after the acquisition was abandoned is
 * released at once.
 *
 * <h2>Failure</h2>
 *
 * Losing the internal lock (its session ends, its node is deleted) while counting starts over by
 * taking the lock again; the guard in the multi-op makes sure no lease was created after the loss.
 * A multi whose reply was lost is resolved by looking for the attempt id among the leases.
 */
final class PermitAcquisition {

  private static final String PREFIX = "permit-";

  private final DistributedSemaphore semaphore;
  private final Baton baton;
  private final Duration timeout;
  private final long deadline;
  private final CompletableFuture<PermitLease> result = new CompletableFuture<>();
  private final AtomicBoolean done = new AtomicBoolean();

  /** Set while a lease create is in flight, so that one acquisition never creates two leases. */
  private final AtomicBoolean creating = new AtomicBoolean();

  private volatile CompletableFuture<LockLease> lockRequest;
  private volatile LockLease countingUnder;

  /** One watcher object: ZooKeeper keeps one registration per watcher and path, so no doubles. */
  private final Watcher onLeasesChanged =
      event -> {
        LockLease lock = countingUnder;
        if (event.getType() != Watcher.Event.EventType.None && lock != null) {
          count(lock);
        }
      };

  PermitAcquisition(DistributedSemaphore semaphore, Baton baton, Duration timeout) {
    this.semaphore = semaphore;
    this.baton = baton;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  CompletableFuture<PermitLease> start() {
    result.whenComplete(
        (v, e) -> {
          if (e instanceof CancellationException) {
            abandon(e);
          }
        });
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> abandon(timedOut()));
    takeLock();
    return result;
  }

  private BatonTimeoutException timedOut() {
    return new BatonTimeoutException("acquire a permit of " + semaphore.path(), timeout);
  }

  private void takeLock() {
    long left = deadline - System.nanoTime();
    if (done.get() || left <= 0) {
      abandon(timedOut());
      return;
    }
    CompletableFuture<LockLease> request =
        DistributedLock.create(baton, semaphore.lockPath()).acquireAsync(Duration.ofNanos(left));
    lockRequest = request;
    request.whenComplete(
        (lock, error) -> {
          if (error != null) {
            Throwable t = Futures.unwrap(error);
            abandon(t instanceof BatonTimeoutException ? timedOut() : t);
          } else if (done.get()) {
            lock.close();
          } else {
            lock.lost().thenRun(() -> lockLost(lock));
            countingUnder = lock;
            creating.set(false);
            count(lock);
          }
        });
  }

  private void lockLost(LockLease lock) {
    if (!done.get() && lockRequest != null && lockRequest.getNow(null) == lock) {
      takeLock();
    }
  }

  /** Counts the leases; creates one when fewer than N exist, else waits for a change. */
  private void count(LockLease lock) {
    Session s = lock.hold().session();
    s.ensurePath(semaphore.leasesPath(), CreateMode.PERSISTENT)
        .thenCompose(v -> s.getChildren(semaphore.leasesPath(), Optional.of(onLeasesChanged)))
        .whenComplete(
            (leases, error) -> {
              if (!stillCounting(lock)) {
                return;
              }
              if (error != null) {
                retryOrFail(lock, error, () -> count(lock));
              } else if (leases.size() < semaphore.permits()
                  && creating.compareAndSet(false, true)) {
                create(lock, s);
              }
              // else: all permits taken; the children watch calls count() again on a change
            });
  }

  private boolean stillCounting(LockLease lock) {
    if (done.get()) {
      lock.close();
      return false;
    }
    return lock.state() != HoldState.LOST && lock.state() != HoldState.RELEASED;
  }

  private void create(LockLease lock, Session s) {
    String id = UUID.randomUUID().toString();
    ZkPath prefix = semaphore.leasesPath().child(PREFIX + id + "-");
    List<Op> ops =
        List.of(
            Op.check(s.serverPath(lock.node()), -1),
            Op.create(
                s.serverPath(prefix),
                new byte[0],
                baton.aclProvider().aclFor(prefix),
                CreateMode.EPHEMERAL_SEQUENTIAL));
    s.multi(ops)
        .whenComplete(
            (results, error) -> {
              if (error == null) {
                String name = ((OpResult.CreateResult) results.get(1)).getPath();
                grant(
                    lock,
                    s,
                    semaphore.leasesPath().child(name.substring(name.lastIndexOf('/') + 1)));
              } else if (Futures.unwrap(error) instanceof ConnectionLossException) {
                findAgain(lock, s, id);
              } else if (guardFailed(Futures.unwrap(error))) {
                lock.close(); // our lock node is gone: nothing was created; take the lock again
                takeLock();
              } else {
                creating.set(false);
                retryOrFail(lock, error, () -> count(lock));
              }
            });
  }

  /** After a lost multi reply: the lease exists if the multi went through. */
  private void findAgain(LockLease lock, Session s, String id) {
    s.whenConnected()
        .thenCompose(v -> s.getChildren(semaphore.leasesPath(), Optional.empty()))
        .whenComplete(
            (leases, error) -> {
              if (error != null) {
                retryOrFail(lock, error, () -> findAgain(lock, s, id));
                return;
              }
              Optional<String> mine =
                  leases.stream().filter(n -> n.startsWith(PREFIX + id + "-")).findFirst();
              if (mine.isPresent()) {
                grant(lock, s, semaphore.leasesPath().child(mine.get()));
              } else if (stillCounting(lock)) {
                creating.set(false);
                count(lock);
              }
            });
  }

  private void grant(LockLease lock, Session s, ZkPath lease) {
    s.hold(lease)
        .whenComplete(
            (hold, error) -> {
              lock.close();
              if (error != null) {
                if (done.get()) {
                  s.deleteIfOwned(lease);
                } else {
                  retryOrFail(lock, error, this::takeLock);
                }
                return;
              }
              PermitLease permit = semaphore.granted(hold);
              if (!done.compareAndSet(false, true) || !result.complete(permit)) {
                permit.close();
              }
            });
  }

  /** Whether a multi failed on its first op, the check of our lock node. */
  private static boolean guardFailed(Throwable t) {
    return t instanceof ZooKeeperOperationException z
        && !z.multiResults().isEmpty()
        && z.multiResults().get(0) instanceof OpResult.ErrorResult e
        && e.getErr() == KeeperException.Code.NONODE.intValue();
  }

  private void retryOrFail(LockLease lock, Throwable error, Runnable again) {
    Throwable t = Futures.unwrap(error);
    if (t instanceof ConnectionLossException) {
      lock.hold().session().whenConnected().whenComplete((v, e) -> again.run());
    } else if (t instanceof SessionLostException || t instanceof HoldLostException) {
      lock.close();
      takeLock();
    } else {
      lock.close();
      abandon(t);
    }
  }

  private void abandon(Throwable reason) {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    result.completeExceptionally(reason);
    CompletableFuture<LockLease> request = lockRequest;
    if (request != null) {
      request.cancel(false);
      request.thenAccept(LockLease::close);
    }
  }
}
