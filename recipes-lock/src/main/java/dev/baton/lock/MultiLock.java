package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Several {@link DistributedLock mutexes} taken together, all or nothing.
 *
 * <pre>{@code
 * MultiLock both = MultiLock.create(baton, "/locks/accounts/42", "/locks/accounts/7");
 * try (MultiLease lease = both.acquire(Duration.ofSeconds(5))) {
 *   lease.guardedWrite().setData(from, debited).setData(to, credited).commit();
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * Each path is an ordinary {@link DistributedLock} (same nodes, same FIFO queue, so a multi-lock
 * and a plain lock on the same path exclude each other). The locks are always taken one after the
 * other in one global order, the paths' string order, whatever order they were given in: a holder
 * only ever waits for a lock later in that order than all it holds, so two multi-locks with
 * overlapping paths can never deadlock. One deadline covers all of them. If one cannot be taken
 * (timeout, cancellation, interruption, error), the ones already taken are released, in reverse
 * order, and their nodes deleted before the failure is reported: nothing is left behind.
 *
 * <h2>Ownership</h2>
 *
 * All leases of a {@link MultiLease} belong to one session. Should an earlier lease be lost while a
 * later lock is awaited (its session expired, say), everything taken is released and the
 * acquisition starts over from the first lock, within the same deadline.
 *
 * <h2>Loss</h2>
 *
 * Per lock as for {@link LockLease}; {@link MultiLease#lost()} completes when any one is lost.
 *
 * <h2>Reentrancy</h2>
 *
 * Not reentrant: a client that holds one of the paths (through a plain lock or another multi-lock)
 * and acquires this multi-lock waits for itself until the timeout.
 *
 * <h2>Fencing</h2>
 *
 * One token per lock, {@link MultiLease#fencingTokens()}, each as described in {@link
 * DistributedLock}.
 *
 * <h2>Thread-safety</h2>
 *
 * Immutable and thread-safe; any number of acquisitions may run at once. The async form parks no
 * thread while it waits.
 */
public final class MultiLock {

  private final List<DistributedLock> locks;

  private MultiLock(List<DistributedLock> locks) {
    this.locks = locks;
  }

  /**
   * A multi-lock on {@code paths} (relative to the client's namespace); duplicates count once.
   * Nothing is written until the first acquire.
   *
   * @throws IllegalArgumentException if there is no path, or one is null, invalid or the root
   */
  public static MultiLock create(Baton baton, String... paths) {
    if (paths == null) {
      throw new IllegalArgumentException("paths of a multi-lock must not be null");
    }
    List<ZkPath> parsed = new ArrayList<>(paths.length);
    for (int i = 0; i < paths.length; i++) {
      if (paths[i] == null) {
        throw new IllegalArgumentException(
            "path #" + i + " of multi-lock " + Arrays.toString(paths) + " is null");
      }
      parsed.add(ZkPath.of(paths[i]));
    }
    return create(baton, parsed);
  }

  /**
   * A multi-lock on {@code paths}; duplicates count once.
   *
   * @throws IllegalArgumentException if there is no path, or one is null or the root
   */
  public static MultiLock create(Baton baton, Collection<ZkPath> paths) {
    if (baton == null) {
      throw new IllegalArgumentException("baton of a multi-lock must not be null");
    }
    if (paths == null || paths.isEmpty()) {
      throw new IllegalArgumentException("a multi-lock needs at least one path, got " + paths);
    }
    // The one global order that makes overlapping multi-locks deadlock-free; TreeSet also drops
    // duplicates. Paths compare by their string.
    TreeSet<ZkPath> ordered = new TreeSet<>();
    for (ZkPath p : paths) {
      if (p == null) {
        throw new IllegalArgumentException("paths of a multi-lock must not contain null: " + paths);
      }
      if (p.isRoot()) {
        throw new IllegalArgumentException("a multi-lock cannot hold the root path '/': " + paths);
      }
      ordered.add(p);
    }
    List<DistributedLock> locks = new ArrayList<>(ordered.size());
    ordered.forEach(p -> locks.add(DistributedLock.create(baton, p)));
    return new MultiLock(List.copyOf(locks));
  }

  /** The paths, without duplicates, in the order they are acquired. */
  public List<ZkPath> paths() {
    return locks.stream().map(DistributedLock::path).toList();
  }

  /**
   * Waits up to {@code timeout} for all the locks.
   *
   * @throws BatonTimeoutException naming the path that could not be taken in time (the ones taken
   *     are released first)
   * @throws InterruptedException if interrupted while waiting (the ones taken are released)
   * @throws dev.baton.core.BatonException for other failures, after releasing the ones taken
   */
  public MultiLease acquire(Duration timeout) throws InterruptedException {
    return Futures.await(acquireAsync(timeout));
  }

  /** Like {@link #acquire}, but empty instead of {@link BatonTimeoutException} on timeout. */
  public Optional<MultiLease> tryAcquire(Duration timeout) throws InterruptedException {
    return Futures.emptyOnTimeout(() -> acquire(timeout));
  }

  /**
   * Acquires without blocking a thread, chaining {@link DistributedLock#acquireAsync} in the global
   * order. Fails with {@link BatonTimeoutException} once {@code timeout} has passed, after
   * releasing what was taken; cancelling the future abandons the pending acquire and releases what
   * was taken.
   */
  public CompletableFuture<MultiLease> acquireAsync(Duration timeout) {
    DistributedLock.checkTimeout(timeout);
    Baton baton = locks.get(0).baton();
    if (baton.isClosed()) {
      throw new IllegalStateException("cannot acquire " + this + ": the Baton client is closed");
    }
    return new MultiAcquisition(locks, timeout).start();
  }

  @Override
  public String toString() {
    return "MultiLock" + paths();
  }
}
