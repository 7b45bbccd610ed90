package dev.baton.lock;

import dev.baton.core.BatonTimeoutException;
import dev.baton.core.HoldState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One call to {@link MultiLock#acquireAsync}: takes the locks one after the other by chaining
 * {@link DistributedLock#acquireAsync}, each with what is left of the one deadline. Parks no
 * thread; steps run on the threads that complete the single-lock futures.
 *
 * <h2>Concurrency</h2>
 *
 * At most one single-lock acquire is pending at a time. The chain races only with cancellation of
 * the result; {@code done}, {@code taken} and {@code pending} are guarded by {@code stateLock},
 * which is never held while a future is completed or cancelled, nor across a ZooKeeper call. Once
 * {@code done} is set, whoever set it owns {@code taken}: the finisher hands it out, the failer and
 * the canceller release it, and a step that completes afterwards gives its lease straight back.
 *
 * <h2>Failure</h2>
 *
 * Timeout, errors and cancellation release every lease taken, newest first, and fail (or leave
 * cancelled) the result only when their nodes are gone. A lease lost while a later lock was awaited
 * (session expired, node deleted) restarts the whole chain from the first lock within the deadline,
 * as a single lock starts over in a new session.
 *
 * <h2>Invariants</h2>
 *
 * Locks are requested strictly in {@code locks} order (sorted by path), never out of it; a handed
 * out {@link MultiLease} holds one lease per lock, all of one session and none LOST at hand-out.
 */
final class MultiAcquisition {

  private final List<DistributedLock> locks;
  private final Duration timeout;
  private final long deadline;
  private final CompletableFuture<MultiLease> result = new CompletableFuture<>();
  private final ReentrantLock stateLock = new ReentrantLock();
  private final List<LockLease> taken = new ArrayList<>();
  private CompletableFuture<LockLease> pending;
  private boolean done;

  MultiAcquisition(List<DistributedLock> locks, Duration timeout) {
    this.locks = locks;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  CompletableFuture<MultiLease> start() {
    result.whenComplete(
        (lease, error) -> {
          if (error instanceof CancellationException) {
            end(null);
          }
        });
    request(0);
    return result;
  }

  /** Asks for lock {@code i} with the time that is left. */
  private void request(int i) {
    if (isDone()) {
      return; // cancelled while the chain restarted
    }
    CompletableFuture<LockLease> f;
    try {
      f = locks.get(i).acquireAsync(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    } catch (RuntimeException e) { // the client was closed meanwhile
      end(e);
      return;
    }
    boolean registered;
    stateLock.lock();
    try {
      registered = !done;
      if (registered) {
        pending = f;
      }
    } finally {
      stateLock.unlock();
    }
    if (!registered) {
      f.cancel(false); // ended meanwhile: abandon it, the acquire removes its node
    }
    f.whenComplete((lease, error) -> granted(i, lease, error));
  }

  private boolean isDone() {
    stateLock.lock();
    try {
      return done;
    } finally {
      stateLock.unlock();
    }
  }

  private void granted(int i, LockLease lease, Throwable error) {
    if (error != null) {
      end(translate(locks.get(i), Futures.unwrap(error)));
      return;
    }
    List<LockLease> lostMeanwhile = null;
    boolean late;
    stateLock.lock();
    try {
      late = done;
      if (!late) {
        pending = null;
        taken.add(lease);
        if (taken.stream()
            .anyMatch(l -> l.state() == HoldState.LOST || l.sessionId() != lease.sessionId())) {
          lostMeanwhile = List.copyOf(taken);
          taken.clear();
        }
      }
    } finally {
      stateLock.unlock();
    }
    if (late) {
      lease.close(); // ended meanwhile: give it straight back
    } else if (lostMeanwhile != null) {
      MultiLease.releaseInReverse(lostMeanwhile).whenComplete((v, e) -> request(0));
    } else if (i + 1 < locks.size()) {
      request(i + 1);
    } else {
      finish();
    }
  }

  private void finish() {
    MultiLease lease;
    stateLock.lock();
    try {
      if (done) {
        return; // cancelled: the canceller releases what was taken
      }
      done = true;
      lease = new MultiLease(List.copyOf(taken));
    } finally {
      stateLock.unlock();
    }
    if (!result.complete(lease)) {
      lease.release();
    }
  }

  /**
   * Ends the acquisition without a lease: abandons the pending acquire, releases what was taken,
   * then fails the result with {@code error} (null when the result was cancelled).
   */
  private void end(Throwable error) {
    List<LockLease> toRelease;
    CompletableFuture<LockLease> abandoned;
    stateLock.lock();
    try {
      if (done) {
        return;
      }
      done = true;
      toRelease = List.copyOf(taken);
      abandoned = pending;
    } finally {
      stateLock.unlock();
    }
    if (abandoned != null) {
      abandoned.cancel(false);
    }
    MultiLease.releaseInReverse(toRelease)
        .whenComplete(
            (v, e) -> {
              if (error != null) {
                result.completeExceptionally(error);
              }
            });
  }

  /** A timeout of one lock is the multi-lock's timeout, naming the path that was not taken. */
  private Throwable translate(DistributedLock lock, Throwable error) {
    if (error instanceof BatonTimeoutException) {
      return new BatonTimeoutException(
          "acquire " + lock.path() + " (multi-lock of " + locks.size() + " paths)", timeout);
    }
    return error;
  }
}
