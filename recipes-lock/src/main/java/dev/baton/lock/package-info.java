/**
 * Baton's locks. {@link dev.baton.lock.DistributedLock} is a fenced, loss-aware mutex on ZooKeeper:
 * one ephemeral-sequential node per contender, each watching only its predecessor, with a fencing
 * token per grant and guarded writes that fail atomically once the lock is gone.
 *
 * <p>Also: {@link dev.baton.lock.ReadWriteLock} (readers share, writers exclude, each contender
 * counting only conflicting lower nodes) and {@link dev.baton.lock.DistributedSemaphore} (N permits
 * as leases, never more than N at once), {@link dev.baton.lock.MultiLock} (several locks, all or
 * nothing, in one global order) and {@link dev.baton.lock.LeaderElection} (leadership as a fenced
 * hold).
 */
package dev.baton.lock;
