package dev.baton.queue;

import dev.baton.core.HoldLostException;
import dev.baton.core.LossReason;
import dev.baton.core.internal.Futures;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One item taken from a {@link WorkQueue}, claimed by this consumer until it is settled: {@link
 * #ack() acked} (done; never delivered again), {@link #release() released} (delivered again, to
 * anyone) or {@link #deadLetter dead-lettered}.
 *
 * <h2>Guarantees</h2>
 *
 * While the delivery is unsettled no other consumer is given the item. An ack is recorded on the
 * server in the same transaction that checks the claim, so an acked item is never delivered again.
 *
 * <h2>Ownership</h2>
 *
 * The claim is an ephemeral node of the consumer's session; the item itself stays in the queue
 * until the ack.
 *
 * <h2>Loss</h2>
 *
 * If the session ends (expiry, or the client closed) the claim is gone, the item will be delivered
 * again, and {@link #ack()} fails with {@link HoldLostException}; {@link #lost()} completes. Work
 * done for a lost delivery may be repeated by its next consumer: handlers must be idempotent
 * (at-least-once delivery).
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe; settle once (a second settle fails with {@link IllegalStateException}). {@link
 * #close()} releases an unsettled delivery and is idempotent.
 *
 * @param <T> the item type
 */
public final class Delivery<T> implements AutoCloseable {

  private final ClaimedNode node;
  private final int index;
  private final T item;
  private final byte[] encoded;
  private final boolean redelivery;
  private final QueueMetrics metrics;
  private final AtomicInteger inFlight;
  private final AtomicBoolean settled = new AtomicBoolean();

  Delivery(
      ClaimedNode node,
      int index,
      T item,
      byte[] encoded,
      boolean redelivery,
      QueueMetrics metrics,
      AtomicInteger inFlight) {
    this.node = node;
    this.index = index;
    this.item = item;
    this.encoded = encoded;
    this.redelivery = redelivery;
    this.metrics = metrics;
    this.inFlight = inFlight;
    inFlight.incrementAndGet();
  }

  /** The item. */
  public T item() {
    return item;
  }

  /** The item's id, as {@link WorkQueue#put} returned it. */
  public String id() {
    return node.name() + "#" + index;
  }

  /**
   * Whether this consumer saw another consumer hold the item before (so it is being delivered
   * again). A best-effort hint from this consumer's view, for metrics and logs.
   */
  public boolean isRedelivery() {
    return redelivery;
  }

  /** Completes when the claim's session ends: the item will be (or was) delivered again. */
  public CompletionStage<LossReason> lost() {
    return node.session().ended();
  }

  /**
   * Marks the item done: it is removed from the queue and never delivered again.
   *
   * @throws HoldLostException if the claim was lost first (the item will be delivered again), or
   *     its session ended while the ack's reply was lost (the message says so: it may have applied)
   * @throws IllegalStateException if this delivery was settled already
   */
  public void ack() throws InterruptedException {
    Futures.await(ackAsync());
  }

  /** {@link #ack()} without blocking. */
  public CompletableFuture<Void> ackAsync() {
    begin("ack");
    return node.settle(index, ClaimedNode.Outcome.ACK, null).thenRun(metrics::acked);
  }

  /**
   * Gives the item back: it will be delivered again (to any consumer). Does not fail: if the claim
   * is already gone the item is free anyway.
   */
  public CompletableFuture<Void> release() {
    begin("release");
    return node.settle(index, ClaimedNode.Outcome.RELEASE, null).exceptionally(e -> null);
  }

  /**
   * Moves the item to the queue's dead-letter area with {@code reason} (see {@link
   * WorkQueue#deadLetters()}), in one transaction with removing it from the queue.
   *
   * @throws IllegalStateException if this delivery was settled already
   */
  public CompletableFuture<Void> deadLetter(String reason) {
    return deadLetter(reason, 1);
  }

  CompletableFuture<Void> deadLetter(String reason, int attempts) {
    begin("dead-letter");
    byte[] dead = Entries.encodeDead(id(), reason, attempts, encoded);
    return node.settle(index, ClaimedNode.Outcome.DEAD, dead).thenRun(metrics::deadLettered);
  }

  /** Releases the item if it was not settled. Idempotent. */
  @Override
  public void close() {
    if (!settled.get()) {
      try {
        release();
      } catch (IllegalStateException raced) {
        // settled concurrently: nothing to give back
      }
    }
  }

  boolean isSettled() {
    return settled.get();
  }

  boolean claimIsLive() {
    return node.isLive();
  }

  private void begin(String what) {
    if (!settled.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "cannot " + what + " " + id() + ": the delivery was already settled");
    }
    inFlight.decrementAndGet();
  }
}
