/**
 * Baton's locks. {@link dev.baton.lock.DistributedLock} is a fenced, loss-aware mutex on ZooKeeper:
 * one ephemeral-sequential node per contender, each watching only its predecessor, with a fencing
 * token per grant and guarded writes that fail atomically once the lock is gone.
 *
 * <p>Read-write lock, semaphore, multi-lock and leader election are to come (issue 10).
 */
package dev.baton.lock;
