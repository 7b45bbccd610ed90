package dev.baton.barrier;

import dev.baton.core.BatonTimeoutException;
import dev.baton.core.Hold;
import dev.baton.core.HoldListener;
import dev.baton.core.HoldLostException;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A participant's membership in one round of a {@link DoubleBarrier}, handed out when enter passed:
 * a hold on the member's ephemeral node.
 *
 * <h2>Guarantees</h2>
 *
 * {@link #leave} deletes our node and returns once a read showed no member left in the round.
 *
 * <h2>Ownership</h2>
 *
 * Our ephemeral node, owned by the session that entered; not bound to a thread.
 *
 * <h2>Loss</h2>
 *
 * {@link #state()} is {@link HoldState#UNCERTAIN} while the connection is suspended and {@link
 * HoldState#LOST} once the session ended or the node was deleted; {@link #lost()} completes then. A
 * lost member's {@link #leave} fails with {@link HoldLostException}; the others' leave does not
 * wait for it (its node is gone). Once our node is deleted by leave, the wait for the others reads
 * on in the client's next session if ours ends.
 *
 * <h2>Reentrancy</h2>
 *
 * None. Leave once; {@link #close()} without leave deletes our node without waiting.
 *
 * <h2>Fencing</h2>
 *
 * {@link #round()} numbers the rounds of the barrier's path.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe.
 */
public final class BarrierMembership implements AutoCloseable {

  private final DoubleBarrier barrier;
  private final long round;
  private final Hold hold;
  private final AtomicBoolean left = new AtomicBoolean();

  BarrierMembership(DoubleBarrier barrier, long round, Hold hold) {
    this.barrier = barrier;
    this.round = round;
    this.hold = hold;
  }

  /** The round this membership belongs to (0, 1, 2, ... on the barrier's path). */
  public long round() {
    return round;
  }

  /** Our member node. */
  public ZkPath node() {
    return hold.path();
  }

  /** The session that entered. */
  public long sessionId() {
    return hold.session().id();
  }

  /** HELD, UNCERTAIN, LOST, or RELEASED after leave/close. */
  public HoldState state() {
    return hold.state();
  }

  /** Completes with the reason if the membership is lost before it is left. */
  public CompletionStage<LossReason> lost() {
    return hold.lost();
  }

  /** Adds a listener of state changes, on the client's listener executor. */
  public void addListener(HoldListener listener) {
    hold.addListener(listener);
  }

  /**
   * Leaves: deletes our node, then waits until every member of the round has left.
   *
   * @throws HoldLostException if the membership was lost before leave
   * @throws BatonTimeoutException if members are still present after {@code timeout}
   * @throws IllegalStateException if leave or close was already called
   * @throws InterruptedException if interrupted while waiting (our node is gone either way)
   */
  public void leave(Duration timeout) throws InterruptedException {
    Futures.await(leaveAsync(timeout));
  }

  /** {@link #leave} without blocking a thread. */
  public CompletableFuture<Void> leaveAsync(Duration timeout) {
    Futures.checkTimeout(timeout);
    if (!left.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "membership " + hold.path() + " of round " + round + " has already left");
    }
    if (hold.state() == HoldState.LOST) {
      return CompletableFuture.failedFuture(
          new HoldLostException(
              hold.path(),
              hold.lossReason().orElse(LossReason.SESSION_EXPIRED),
              "cannot leave round " + round + " of " + barrier.path()));
    }
    long start = System.nanoTime();
    CompletableFuture<Void> result = new CompletableFuture<>();
    hold.release()
        .thenRun(
            () -> {
              long remaining = Math.max(0, timeout.toNanos() - (System.nanoTime() - start));
              CompletableFuture<Boolean> wait =
                  new WatchLoop<>(
                          barrier.baton(),
                          Optional.empty(),
                          "leave double barrier " + barrier.path() + " round " + round,
                          Duration.ofNanos(remaining),
                          (s, watcher) -> RoundProbe.empty(s, roundPath(round), watcher))
                      .start();
              result.whenComplete((v, e) -> wait.cancel(false)); // abandoned: stop reading
              wait.whenComplete(
                  (v, e) -> {
                    if (e != null) {
                      result.completeExceptionally(Futures.unwrap(e));
                    } else {
                      result.complete(null);
                    }
                  });
            });
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(
            () ->
                result.completeExceptionally(
                    new BatonTimeoutException(
                        "leave double barrier " + barrier.path() + " round " + round, timeout)));
    return BarrierMetrics.observe(barrier.metrics(), "leave", result);
  }

  private ZkPath roundPath(long g) {
    return barrier.path().child(Rounds.roundName(g));
  }

  /** Deletes our node without waiting for the others, unless left already. Idempotent. */
  @Override
  public void close() {
    if (left.compareAndSet(false, true)) {
      hold.release();
    }
  }

  @Override
  public String toString() {
    return "BarrierMembership[" + hold.path() + ", round " + round + ", " + hold.state() + "]";
  }
}
