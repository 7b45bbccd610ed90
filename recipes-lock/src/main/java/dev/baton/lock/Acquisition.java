package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.HoldLostException;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;

/**
 * One call to {@link DistributedLock#acquireAsync}: an asynchronous state machine that parks no
 * thread. It runs on ZooKeeper's callback thread and on the JDK's delay scheduler only.
 *
 * <h2>Concurrency</h2>
 *
 * Steps are chained futures; at most one step of an attempt is in flight, except the timeout and
 * cancellation, which race with it. That race is settled by one CAS on {@code phase}: RUNNING moves
 * to GRANTED (the lease is handed out) or to ABANDONED (timeout, cancellation, failure), never
 * both.
 *
 * <h2>Failure</h2>
 *
 * A create whose reply was lost is found again by its attempt id (in the node name) in the same
 * session. If the session ends before the grant, the attempt starts over in the next session with a
 * new attempt id (the old node dies with the old session and, until it does, only blocks us like
 * any other contender: ownership is always checked against the current session). Whatever ends the
 * attempt without a grant removes its node: the known node by {@link Session#deleteIfOwned}, and a
 * node whose create reply was lost by a sweep for the attempt id.
 *
 * <h2>Invariants</h2>
 *
 * A lease is handed out only for a node the server shows as the lowest contender and as owned by
 * the session the lease is bound to ({@link Session#hold} checks {@code ephemeralOwner}).
 */
final class Acquisition {

  private enum Phase {
    RUNNING,
    GRANTED,
    ABANDONED
  }

  private final DistributedLock lock;
  private final LockNodes.Kind kind;
  private final Baton baton;
  private final ZkPath lockPath;
  private final Optional<Duration> timeout;
  private final byte[] nodeData;
  private final CompletableFuture<LockLease> result = new CompletableFuture<>();
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.RUNNING);
  private volatile Attempt attempt;

  /** One session's try: its id, and its node once known. */
  private static final class Attempt {
    final Session session;
    final String id = UUID.randomUUID().toString();
    volatile ZkPath node;
    volatile boolean createSent;

    Attempt(Session session) {
      this.session = session;
    }
  }

  /**
   * @param timeout empty: no deadline, the attempt runs until granted, failed or cancelled
   * @param nodeData the data of our contender node (not copied: callers hand over their array)
   */
  Acquisition(
      DistributedLock lock,
      LockNodes.Kind kind,
      Baton baton,
      ZkPath lockPath,
      Optional<Duration> timeout,
      byte[] nodeData) {
    this.lock = lock;
    this.kind = kind;
    this.baton = baton;
    this.lockPath = lockPath;
    this.timeout = timeout;
    this.nodeData = nodeData;
  }

  CompletableFuture<LockLease> start() {
    result.whenComplete(
        (lease, error) -> {
          if (error instanceof CancellationException) {
            abandon(error);
          }
        });
    timeout.ifPresent(
        t ->
            CompletableFuture.delayedExecutor(t.toNanos(), TimeUnit.NANOSECONDS)
                .execute(() -> abandon(new BatonTimeoutException("acquire " + lockPath, t))));
    inNextSession();
    return result;
  }

  private boolean running() {
    return phase.get() == Phase.RUNNING;
  }

  /** Whether {@code a} is still the live attempt of a running acquisition. */
  private boolean current(Attempt a) {
    return running() && attempt == a;
  }

  /** Waits for a session (the current one, or the next) and starts an attempt in it. */
  private void inNextSession() {
    if (!running()) {
      return;
    }
    CompletableFuture<Session> next;
    try {
      next = baton.sessionAsync();
    } catch (IllegalStateException closed) {
      fail(closed); // the client was closed between sessions: end the acquisition, don't hang
      return;
    }
    next.whenComplete(
        (session, error) -> {
          if (error != null) {
            fail(error);
            return;
          }
          Attempt a = new Attempt(session);
          attempt = a;
          session.ended().thenRun(() -> sessionEnded(a));
          resume(a);
        });
  }

  /** Continues an attempt from where it stands (also after a connection loss). */
  private void resume(Attempt a) {
    if (a.node != null) {
      check(a);
    } else if (a.createSent) {
      findAgain(a);
    } else {
      create(a);
    }
  }

  /**
   * Creates the lock's parents. Only after a create found them missing: ensuring them before every
   * acquire would cost two more writes through the leader each time. The parent is a container
   * node, which the servers delete once it is empty, so it can go missing again later.
   */
  private void createParentsThenCreate(Attempt a) {
    a.createSent = false;
    a.session
        .ensurePath(lockPath, CreateMode.CONTAINER)
        .whenComplete((v, e) -> step(a, e, () -> create(a)));
  }

  private void create(Attempt a) {
    a.createSent = true;
    a.session
        .create(
            lockPath.child(LockNodes.namePrefix(kind, a.id)),
            nodeData,
            CreateMode.EPHEMERAL_SEQUENTIAL)
        .whenComplete(
            (created, error) -> {
              if (error == null) {
                a.node = created.path();
              } else if (Futures.unwrap(error) instanceof ZooKeeperOperationException z
                  && z.code() == KeeperException.Code.NONODE
                  && current(a)) {
                createParentsThenCreate(a);
                return;
              }
              step(a, error, () -> check(a));
            });
  }

  /** After a lost create reply: our node exists if the create went through (same session). */
  private void findAgain(Attempt a) {
    a.session
        .whenConnected()
        .thenCompose(v -> a.session.getChildren(lockPath, Optional.empty()))
        .whenComplete(
            (children, error) ->
                step(
                    a,
                    error,
                    () -> {
                      Optional<String> mine = LockNodes.findAttempt(children, kind, a.id);
                      if (mine.isEmpty()) {
                        create(a); // the create never reached the servers
                      } else {
                        a.node = lockPath.child(mine.get());
                        check(a);
                      }
                    }));
  }

  /** Reads the contenders and either takes the lock or watches the predecessor. */
  private void check(Attempt a) {
    a.session
        .getChildren(lockPath, Optional.empty())
        .whenComplete(
            (children, error) ->
                step(
                    a,
                    error,
                    () -> {
                      Optional<LockNodes.Position> pos =
                          LockNodes.position(LockNodes.ordered(children), a.node.name());
                      if (pos.isEmpty()) {
                        // Our node is gone (deleted by someone) while the session lives: start
                        // over.
                        inSameSessionAgain(a);
                      } else if (pos.get().granted()) {
                        grant(a);
                      } else {
                        watch(a, pos.get());
                      }
                    }));
  }

  private void inSameSessionAgain(Attempt old) {
    Attempt a = new Attempt(old.session);
    attempt = a;
    create(a);
  }

  private void watch(Attempt a, LockNodes.Position pos) {
    ZkPath predecessor = lockPath.child(pos.watch().orElseThrow());
    Watcher onChange =
        (WatchedEvent event) -> {
          if (event.getType() != Watcher.Event.EventType.NodeDeleted) {
            return; // connection events: the session's own signals drive what happens then
          }
          if (pos.watchIsTheOnlyConflict()) {
            grant(a);
          } else {
            check(a);
          }
        };
    a.session
        .exists(predecessor, Optional.of(onChange))
        .whenComplete(
            (stat, error) ->
                step(
                    a,
                    error,
                    () -> {
                      if (stat.isEmpty()) {
                        check(a); // gone before the watch was set: look again
                      }
                    }));
  }

  private void grant(Attempt a) {
    if (!current(a)) {
      cleanUp(a);
      return;
    }
    a.session
        .hold(a.node)
        .whenComplete(
            (hold, error) -> {
              if (error != null) {
                if (Futures.unwrap(error) instanceof HoldLostException && current(a)) {
                  inSameSessionAgain(a); // our node was deleted by someone while we waited
                } else {
                  step(a, error, () -> {});
                }
                return;
              }
              if (phase.compareAndSet(Phase.RUNNING, Phase.GRANTED)) {
                LockLease lease = lock.granted(hold);
                if (!result.complete(lease)) {
                  lease.close(); // cancelled at the same instant: give it back
                }
              } else {
                hold.release();
              }
            });
  }

  /**
   * Continues with {@code next} if the attempt is still live (else removes its node), or handles
   * the step's failure: a connection loss waits for the same session and resumes, a session loss
   * starts over in the next session, anything else ends the acquisition.
   */
  private void step(Attempt a, Throwable error, Runnable next) {
    if (error == null) {
      if (current(a)) {
        next.run();
      } else {
        cleanUp(a);
      }
      return;
    }
    Throwable t = Futures.unwrap(error);
    if (t instanceof SessionLostException) {
      sessionEnded(a);
    } else if (t instanceof ConnectionLossException) {
      a.session.whenConnected().whenComplete((v, e) -> step(a, e, () -> resume(a)));
    } else if (current(a)) {
      fail(t);
    } else {
      cleanUp(a);
    }
  }

  private void sessionEnded(Attempt a) {
    if (current(a)) {
      inNextSession(); // nothing was granted in the old session; its node dies with it
    }
  }

  private void fail(Throwable error) {
    abandon(Futures.unwrap(error));
  }

  /** Ends the acquisition without a lease and removes whatever it created. */
  private void abandon(Throwable reason) {
    if (!phase.compareAndSet(Phase.RUNNING, Phase.ABANDONED)) {
      return;
    }
    result.completeExceptionally(reason);
    Attempt a = attempt;
    if (a != null) {
      cleanUp(a);
    }
  }

  /** Removes the attempt's node: the known one, or any node carrying the attempt id. */
  private void cleanUp(Attempt a) {
    if (!a.session.isAlive()) {
      return;
    }
    if (a.node != null) {
      a.session.deleteIfOwned(a.node);
    } else if (a.createSent) {
      a.session
          .whenConnected()
          .thenCompose(v -> a.session.getChildren(lockPath, Optional.empty()))
          .thenAccept(
              (List<String> children) ->
                  LockNodes.findAttempt(children, kind, a.id)
                      .ifPresent(n -> a.session.deleteIfOwned(lockPath.child(n))));
    }
  }
}
