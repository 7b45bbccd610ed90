package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.ZkPath;

/**
 * A read-write lock on ZooKeeper: readers share it, a writer excludes everyone. Both sides are
 * {@link DistributedLock}s on the same path and behave like the mutex in every other respect.
 *
 * <h2>Guarantees</h2>
 *
 * A writer is granted only when no lower contender exists; a reader only when no lower writer
 * exists. Each contender counts only the lower nodes that conflict with it (a reader ignores other
 * readers), so readers never wait for one another, and a reader queued behind a writer waits only
 * for that writer, not for readers granted before it (the reader/writer deadlock of Kazoo's issue
 * 649 cannot happen). Grants are FIFO by sequence: a writer is not starved by readers arriving
 * after it.
 *
 * <h2>Ownership, Loss, Reentrancy</h2>
 *
 * As for {@link DistributedLock}: leases are bound to a session, not a thread; loss is pushed;
 * reentry is explicit ({@link LockLease#reenter()}); a thread holding the read lock that asks for
 * the write lock waits for itself (no upgrade).
 *
 * <h2>Fencing</h2>
 *
 * Each lease's token is its node's czxid: every writer's token is larger than that of every
 * contender granted before it.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe and stateless between calls.
 */
public final class ReadWriteLock {

  private final DistributedLock read;
  private final DistributedLock write;

  private ReadWriteLock(DistributedLock read, DistributedLock write) {
    this.read = read;
    this.write = write;
  }

  /** A read-write lock at {@code path}; nothing is written until the first acquire. */
  public static ReadWriteLock create(Baton baton, String path) {
    return create(baton, ZkPath.of(path));
  }

  /** A read-write lock at {@code path}. */
  public static ReadWriteLock create(Baton baton, ZkPath path) {
    return new ReadWriteLock(
        DistributedLock.create(baton, path, LockNodes.Kind.READ),
        DistributedLock.create(baton, path, LockNodes.Kind.WRITE));
  }

  /** The shared side. */
  public DistributedLock readLock() {
    return read;
  }

  /** The exclusive side. */
  public DistributedLock writeLock() {
    return write;
  }
}
