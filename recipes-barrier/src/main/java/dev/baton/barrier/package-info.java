/**
 * Baton's barriers: {@link dev.baton.barrier.Barrier} (set, remove, wait until removed), {@link
 * dev.baton.barrier.DoubleBarrier} (enter when N participants are present, leave when all have
 * left, round after round on one path) and {@link dev.baton.barrier.DistributedCountDownLatch} (a
 * count that any client counts down once per call, even when a reply is lost and retried).
 *
 * <p>Every wait is decided by a read on the servers; connection and session events only make a
 * waiter read again, they never release it.
 */
package dev.baton.barrier;
