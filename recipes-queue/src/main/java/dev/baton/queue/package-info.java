/**
 * Baton's work queue: {@link dev.baton.queue.WorkQueue} (crash-safe, at-least-once, FIFO within
 * priorities, delayed items, batches, dead letters, optional bound) and its managed {@link
 * dev.baton.queue.QueueConsumer}. Depends on {@code recipes-core} only.
 */
package dev.baton.queue;
