package dev.baton.barrier;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;

/**
 * One wait for a condition on the servers: read, and if the condition does not hold yet, let the
 * read's watch trigger the next read. Parks no thread: it runs on ZooKeeper's callback thread and
 * on the JDK's delay scheduler only.
 *
 * <h2>Concurrency</h2>
 *
 * Reads may overlap (a watch can fire while a read is in flight); every read decides on its own
 * snapshot of the servers and completing the result is idempotent, so overlap only costs a read.
 * One watcher object per session, so ZooKeeper's client keeps at most one registration per path.
 *
 * <h2>Failure</h2>
 *
 * Only a read decides. A watch event without a node change (type {@code None}: disconnected,
 * reconnected, expired) never completes the wait; ZooKeeper re-registers watches after a reconnect
 * inside the session and fires them if the node changed meanwhile. A connection loss waits for the
 * same session and reads again. When the session ends, an unpinned wait reads again in the next
 * session (its watches died with the old one); a wait pinned to a session (a barrier member's)
 * fails with {@link SessionLostException}.
 *
 * <h2>Invariants</h2>
 *
 * The result completes with a value only from a read whose probe said the condition holds; it fails
 * with {@link BatonTimeoutException} once the timeout passes, whatever is in flight.
 */
final class WatchLoop<T> {

  /** One read: the value when the condition holds, or empty after setting {@code watcher}. */
  @FunctionalInterface
  interface Probe<T> {
    CompletableFuture<Optional<T>> read(Session session, Watcher watcher);
  }

  private final Baton baton;
  private final Optional<Session> pinned;
  private final String what;
  private final Duration timeout;
  private final Probe<T> probe;
  private final CompletableFuture<T> result = new CompletableFuture<>();
  private volatile Session session;

  /**
   * @param what the wait, naming the path, for messages
   * @param pinned the session the wait is bound to, or empty to follow the client's sessions
   */
  WatchLoop(Baton baton, Optional<Session> pinned, String what, Duration timeout, Probe<T> probe) {
    this.baton = baton;
    this.pinned = pinned;
    this.what = what;
    this.timeout = timeout;
    this.probe = probe;
  }

  /** Starts the wait. Cancelling the returned future stops it. */
  CompletableFuture<T> start() {
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> result.completeExceptionally(new BatonTimeoutException(what, timeout)));
    pinned.ifPresentOrElse(this::runIn, this::nextSession);
    return result;
  }

  private void nextSession() {
    if (result.isDone()) {
      return;
    }
    CompletableFuture<Session> next;
    try {
      next = baton.sessionAsync();
    } catch (IllegalStateException closed) {
      result.completeExceptionally(closed);
      return;
    }
    next.whenComplete(
        (s, error) -> {
          if (error != null) {
            result.completeExceptionally(Futures.unwrap(error));
          } else {
            runIn(s);
          }
        });
  }

  private void runIn(Session s) {
    session = s;
    s.ended().thenRun(() -> sessionEnded(s));
    read(s, new Rearm(s));
  }

  /** Reads again on any node event of its session; connection events are ignored. */
  private final class Rearm implements Watcher {
    private final Session s;

    Rearm(Session s) {
      this.s = s;
    }

    @Override
    public void process(org.apache.zookeeper.WatchedEvent event) {
      if (event.getType() != Watcher.Event.EventType.None) {
        read(s, this);
      }
    }
  }

  private void read(Session s, Watcher watcher) {
    if (result.isDone() || session != s) {
      return;
    }
    probe
        .read(s, watcher)
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                value.ifPresent(result::complete);
                return;
              }
              Throwable t = Futures.unwrap(error);
              if (t instanceof ConnectionLossException) {
                s.whenConnected()
                    .whenComplete(
                        (v, e) -> {
                          if (e == null) {
                            read(s, watcher);
                          } else {
                            sessionEnded(s);
                          }
                        });
              } else if (t instanceof SessionLostException) {
                sessionEnded(s);
              } else {
                result.completeExceptionally(t);
              }
            });
  }

  private void sessionEnded(Session s) {
    if (result.isDone() || session != s) {
      return;
    }
    if (pinned.isPresent()) {
      result.completeExceptionally(
          new SessionLostException(s.id(), what + ": the member's session ended"));
    } else {
      nextSession();
    }
  }
}
