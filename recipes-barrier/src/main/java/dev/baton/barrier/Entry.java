package dev.baton.barrier;

import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.Hold;
import dev.baton.core.HoldLostException;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZkPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;

/**
 * One call to {@link DoubleBarrier#enterAsync}: join the highest open round, then wait until it
 * closes. An asynchronous state machine that parks no thread.
 *
 * <h2>Concurrency</h2>
 *
 * Steps are chained futures, one in flight at a time, except the timeout and cancellation, which
 * race with them; one CAS on {@code phase} settles the race (RUNNING to ENTERED or ABANDONED).
 *
 * <h2>Failure</h2>
 *
 * A join multi-op whose reply was lost is found again by the attempt id in the member's name. If
 * the session ends before our membership is a hold, the attempt starts over in the next session
 * (our node died with the old one). Once it is a hold, the wait is pinned to its session: a lost
 * hold fails the enter with {@link HoldLostException}. Timeout, cancellation and failure remove our
 * node.
 *
 * <h2>Invariants</h2>
 *
 * A membership is handed out only after a read showed our round closed (data version at least 1),
 * and a round is closed only by a compare-and-set from version 0 after a read showed at least N
 * members in it.
 */
final class Entry {

  private enum Phase {
    RUNNING,
    ENTERED,
    ABANDONED
  }

  static final byte[] CLOSED = "closed".getBytes(StandardCharsets.UTF_8);

  private final DoubleBarrier barrier;
  private final ZkPath path;
  private final Duration timeout;
  private final long deadline;
  private final CompletableFuture<BarrierMembership> result = new CompletableFuture<>();
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.RUNNING);
  private volatile String id;
  private volatile Session session;
  private volatile ZkPath member;
  private volatile long memberRound;
  private volatile Hold hold;
  private volatile CompletableFuture<Boolean> waiting;

  Entry(DoubleBarrier barrier, Duration timeout) {
    this.barrier = barrier;
    this.path = barrier.path();
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  CompletableFuture<BarrierMembership> start() {
    result.whenComplete(
        (m, error) -> {
          if (error instanceof CancellationException) {
            abandon(error);
          }
        });
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> abandon(new BatonTimeoutException("enter double barrier " + path, timeout)));
    inNextSession();
    return result;
  }

  private boolean running() {
    return phase.get() == Phase.RUNNING;
  }

  private void inNextSession() {
    if (!running()) {
      return;
    }
    CompletableFuture<Session> next;
    try {
      next = barrier.baton().sessionAsync();
    } catch (IllegalStateException closed) {
      abandon(closed);
      return;
    }
    next.whenComplete(
        (s, error) -> {
          if (error != null) {
            abandon(Futures.unwrap(error));
            return;
          }
          session = s;
          id = UUID.randomUUID().toString();
          member = null;
          findRound(s);
        });
  }

  /** Reads the rounds and joins the highest (creating the barrier's path the first time). */
  private void findRound(Session s) {
    s.getChildren(path, Optional.empty())
        .whenComplete(
            (children, error) -> {
              if (Futures.is(error, Code.NONODE)) {
                s.ensurePath(path, CreateMode.PERSISTENT)
                    .whenComplete((v, e) -> step(s, e, () -> findRound(s)));
                return;
              }
              step(
                  s,
                  error,
                  () -> {
                    Optional<Long> highest = Rounds.highest(children);
                    if (highest.isEmpty()) {
                      openRound(s, 0);
                    } else {
                      join(s, highest.get());
                    }
                  });
            });
  }

  /** Creates round {@code g} if nobody has, then joins it. */
  private void openRound(Session s, long g) {
    s.create(round(g), new byte[0], CreateMode.PERSISTENT)
        .whenComplete(
            (created, error) -> {
              if (error == null || Futures.is(error, Code.NODEEXISTS)) {
                step(s, null, () -> join(s, g));
              } else if (Futures.unwrap(error) instanceof ConnectionLossException) {
                // Whether it was created or not, the join's check tells (NONODE: read again).
                s.whenConnected().whenComplete((v, e) -> step(s, e, () -> join(s, g)));
              } else {
                step(s, error, () -> {});
              }
            });
  }

  /** Atomically: round {@code g} is still open, and our member node is in it. */
  private void join(Session s, long g) {
    ZkPath node = round(g).child(Rounds.memberName(id));
    List<Op> ops =
        List.of(
            Op.check(s.serverPath(round(g)), 0),
            Op.create(
                s.serverPath(node),
                new byte[0],
                barrier.baton().aclProvider().aclFor(node),
                CreateMode.EPHEMERAL));
    member = node;
    memberRound = g;
    s.multi(ops)
        .whenComplete(
            (results, error) -> {
              if (error == null) {
                step(s, null, () -> joined(s, g, node));
              } else if (Futures.is(error, Code.BADVERSION)) {
                step(s, null, () -> openRound(s, g + 1)); // closed: the next round is ours
              } else if (Futures.is(error, Code.NONODE)) {
                step(s, null, () -> findRound(s)); // the round was cleaned up: read again
              } else if (Futures.is(error, Code.NODEEXISTS)) {
                step(s, null, () -> findAgain(s, g, node)); // ours, from an earlier try
              } else if (Futures.unwrap(error) instanceof ConnectionLossException) {
                s.whenConnected().whenComplete((v, e) -> step(s, e, () -> findAgain(s, g, node)));
              } else {
                step(s, error, () -> {});
              }
            });
  }

  /** After a lost join reply: the multi went through iff our member node exists. */
  private void findAgain(Session s, long g, ZkPath node) {
    s.exists(node, Optional.empty())
        .whenComplete(
            (stat, error) ->
                step(
                    s,
                    error,
                    () -> {
                      if (stat.isPresent()) {
                        joined(s, g, node);
                      } else {
                        findRound(s);
                      }
                    }));
  }

  private void joined(Session s, long g, ZkPath node) {
    s.hold(node)
        .whenComplete(
            (h, error) -> {
              if (error == null && !(running() && session == s)) {
                h.release(); // abandoned meanwhile: give the hold back, not just the node
                return;
              }
              step(
                  s,
                  error,
                  () -> {
                    hold = h;
                    h.lost().thenAccept(reason -> abandon(lost(h, reason)));
                    waitForClose(s, g, h);
                  });
            });
  }

  private void waitForClose(Session s, long g, Hold h) {
    long remaining = Math.max(0, deadline - System.nanoTime());
    CompletableFuture<Boolean> w =
        new WatchLoop<>(
                barrier.baton(),
                Optional.of(s),
                "enter double barrier " + path,
                Duration.ofNanos(remaining),
                (session, watcher) ->
                    RoundProbe.closed(session, round(g), barrier.participants(), watcher))
            .start();
    waiting = w;
    w.whenComplete(
        (closed, error) -> {
          if (error != null) {
            Throwable t = Futures.unwrap(error);
            abandon(
                t instanceof SessionLostException
                    ? lost(h, h.lossReason().orElse(LossReason.SESSION_EXPIRED))
                    : t);
          } else if (h.state() == HoldState.LOST) {
            abandon(lost(h, h.lossReason().orElse(LossReason.SESSION_EXPIRED)));
          } else if (phase.compareAndSet(Phase.RUNNING, Phase.ENTERED)) {
            BarrierMembership m = new BarrierMembership(barrier, g, h);
            if (!result.complete(m)) {
              m.close();
            }
          }
        });
  }

  private static HoldLostException lost(Hold h, LossReason reason) {
    return new HoldLostException(
        h.path(), reason, "membership of session 0x" + Long.toHexString(h.session().id()));
  }

  /**
   * Continues with {@code next} while running, or handles a step's failure: a session that ended
   * before our membership became a hold starts over in the next one; anything else ends the enter.
   */
  private void step(Session s, Throwable error, Runnable next) {
    if (error == null) {
      if (running() && session == s) {
        next.run();
      } else {
        cleanUp();
      }
      return;
    }
    Throwable t = Futures.unwrap(error);
    if (t instanceof SessionLostException && hold == null) {
      if (running() && session == s) {
        inNextSession();
      }
    } else if (t instanceof ConnectionLossException && hold == null && running()) {
      s.whenConnected().whenComplete((v, e) -> step(s, e, () -> resume(s)));
    } else {
      abandon(t);
    }
  }

  /** Continues after a connection loss: find our member node if we may have made it. */
  private void resume(Session s) {
    ZkPath node = member;
    if (node == null) {
      findRound(s);
    } else {
      findAgain(s, memberRound, node);
    }
  }

  /** Ends the enter without a membership and removes whatever it created. */
  private void abandon(Throwable reason) {
    if (!phase.compareAndSet(Phase.RUNNING, Phase.ABANDONED)) {
      return;
    }
    result.completeExceptionally(reason);
    CompletableFuture<Boolean> w = waiting;
    if (w != null) {
      w.cancel(false);
    }
    cleanUp();
  }

  private void cleanUp() {
    Hold h = hold;
    if (h != null) {
      h.release();
      return;
    }
    Session s = session;
    ZkPath node = member;
    if (s != null && node != null && s.isAlive()) {
      s.deleteIfOwned(node);
    }
  }

  private ZkPath round(long g) {
    return path.child(Rounds.roundName(g));
  }
}
