package dev.baton.barrier;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.HoldLostException;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A double barrier for N participants: {@link #enter} blocks until N participants are present,
 * {@link BarrierMembership#leave} blocks until every participant of the round has left. The same
 * path serves any number of consecutive rounds.
 *
 * <pre>{@code
 * DoubleBarrier barrier = DoubleBarrier.create(baton, "/barriers/step", 5);
 * try (BarrierMembership m = barrier.enter(Duration.ofSeconds(30))) {  // all 5 are here
 *   compute(m.round());
 *   m.leave(Duration.ofSeconds(30));                                    // all 5 are done
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * Participants meet in rounds: persistent nodes {@code round-<n>} under the path, each open until
 * closed. A participant joins the highest round with one atomic multi-op that checks the round is
 * still open (data version 0) and creates its ephemeral member node, so nobody joins a round that
 * has already been let through. Whoever reads N or more members in an open round closes it with one
 * compare-and-set of its data; every member waiting in enter watches that durable mark, so a slow
 * member passes even if fast ones have already left (the classic lost-wake-up of reading the member
 * count alone). Hence: nobody passes enter before N participants were present at once, and everyone
 * in a closed round passes. Leave deletes the member node and waits until the round has no members;
 * a closed round never gains members, so that condition, once true, stays true. Arrivals after the
 * close open the next round.
 *
 * <h2>Ownership</h2>
 *
 * A membership is a {@link dev.baton.core.Hold} on the member's ephemeral node in its session.
 *
 * <h2>Loss</h2>
 *
 * Only reads on the servers release a waiter: connection and session events never do. A member
 * whose session ends is told: its enter fails with {@link HoldLostException}, its membership
 * becomes LOST and its leave fails with {@link HoldLostException}. What the others see: the lost
 * member's node vanishes with its session. In enter, before the round closed, it no longer counts,
 * so the others keep waiting for N live members (a newcomer may take its place) and fail with
 * {@link BatonTimeoutException} at their deadline, having removed their own nodes. After the close,
 * the others pass enter, and their leave completes without it (its node is gone). A member that
 * times out in enter removes its node; if the round closed in that same instant it was counted.
 *
 * <h2>Reentrancy</h2>
 *
 * None: each enter is a new participant with its own node.
 *
 * <h2>Fencing</h2>
 *
 * Not applicable; {@link BarrierMembership#round()} numbers the rounds.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe; any number of participants may enter through one instance (each is a member). The
 * async forms park no thread while they wait.
 *
 * <h2>Metrics</h2>
 *
 * {@code baton.barrier.wait} timers with {@code kind} enter and leave (see the package's Micrometer
 * meters) when the client has a registry.
 */
public final class DoubleBarrier {

  private final Baton baton;
  private final ZkPath path;
  private final int participants;
  private final BarrierMetrics metrics;

  private DoubleBarrier(Baton baton, ZkPath path, int participants) {
    this.baton = Objects.requireNonNull(baton, "baton");
    this.path = path;
    this.participants = participants;
    this.metrics = BarrierMetrics.of(baton, path);
  }

  /**
   * A double barrier for {@code participants} members at {@code path}; nothing is written until the
   * first enter.
   *
   * @throws IllegalArgumentException if the path is invalid or the root, or participants &lt; 1
   */
  public static DoubleBarrier create(Baton baton, String path, int participants) {
    return create(baton, ZkPath.of(path), participants);
  }

  /** A double barrier at {@code path}. */
  public static DoubleBarrier create(Baton baton, ZkPath path, int participants) {
    Barrier.checkPath(path, "a double barrier");
    if (participants < 1) {
      throw new IllegalArgumentException(
          "double barrier " + path + " needs at least 1 participant, got " + participants);
    }
    return new DoubleBarrier(baton, path, participants);
  }

  /** The barrier's path. */
  public ZkPath path() {
    return path;
  }

  /** N: how many must be present for enter to pass. */
  public int participants() {
    return participants;
  }

  Baton baton() {
    return baton;
  }

  BarrierMetrics metrics() {
    return metrics;
  }

  /**
   * Joins the current round and waits until it has N members.
   *
   * @throws BatonTimeoutException if the round did not fill in time (our node is removed)
   * @throws HoldLostException if our membership was lost while waiting
   * @throws InterruptedException if interrupted while waiting (our node is removed)
   */
  public BarrierMembership enter(Duration timeout) throws InterruptedException {
    return Futures.await(enterAsync(timeout));
  }

  /**
   * {@link #enter} without blocking a thread. Cancelling the future abandons the attempt and
   * removes our node.
   *
   * @throws IllegalArgumentException if the timeout is null or negative
   * @throws IllegalStateException if the client is closed
   */
  public CompletableFuture<BarrierMembership> enterAsync(Duration timeout) {
    Futures.checkTimeout(timeout);
    if (baton.isClosed()) {
      throw new IllegalStateException("cannot enter " + path + ": the Baton client is closed");
    }
    return BarrierMetrics.observe(metrics, "enter", new Entry(this, timeout).start());
  }

  @Override
  public String toString() {
    return "DoubleBarrier[" + path + ", " + participants + " participants]";
  }
}
