package dev.baton.core;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * How a {@link Session} calls ZooKeeper: one attempt at a time on the session's own handle, errors
 * translated into the {@link BatonException} family, and, for idempotent calls, a retry after a
 * connection loss once the same session is connected again.
 *
 * <h2>Failure</h2>
 *
 * {@code SESSIONEXPIRED} (also what a closed handle answers) becomes {@link SessionLostException};
 * {@code CONNECTIONLOSS}, {@code OPERATIONTIMEOUT} and {@code SESSIONMOVED} become {@link
 * ConnectionLossException} (outcome unknown); {@code NOAUTH}, {@code AUTHFAILED} and {@code
 * SESSIONCLOSEDREQUIRESASLAUTH} (a server that enforces auth refused an unauthenticated client)
 * become {@link NotAuthorizedException} and are never retried; the rest become {@link
 * ZooKeeperOperationException}. A call on a session known to be over is not attempted at all.
 *
 * <p>Thread-safe: stateless apart from the session it serves.
 */
final class SessionCalls {

  private final Session session;
  private final ZooKeeper zk;
  private final ClientContext ctx;

  SessionCalls(Session session, ZooKeeper zk, ClientContext ctx) {
    this.session = session;
    this.zk = zk;
    this.ctx = ctx;
  }

  /** One attempt, with errors translated; fails at once if the session is over. */
  <T> CompletableFuture<T> attempt(String what, ZkPath path, Supplier<CompletableFuture<T>> op) {
    if (!session.isAlive()) {
      return CompletableFuture.failedFuture(
          new SessionLostException(
              session.id(),
              what + ": not attempted, the session ended (" + session.endReason() + ")"));
    }
    CompletableFuture<T> started;
    try {
      started = op.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> out = new CompletableFuture<>();
    started.whenComplete(
        (v, e) -> {
          if (e == null) {
            out.complete(v);
          } else {
            out.completeExceptionally(translate(what, path, unwrap(e)));
          }
        });
    return out;
  }

  /**
   * Attempts, and after a connection loss waits for the same session to be connected again and
   * tries again, until the client's connection timeout has passed since the first attempt.
   */
  <T> CompletableFuture<T> retrying(String what, ZkPath path, Supplier<CompletableFuture<T>> op) {
    long deadline = System.nanoTime() + ctx.connectionTimeout().toNanos();
    CompletableFuture<T> out = new CompletableFuture<>();
    retryStep(what, path, op, deadline, out);
    return out;
  }

  private <T> void retryStep(
      String what,
      ZkPath path,
      Supplier<CompletableFuture<T>> op,
      long deadline,
      CompletableFuture<T> out) {
    attempt(what, path, op)
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                out.complete(v);
                return;
              }
              Throwable t = unwrap(e);
              long left = deadline - System.nanoTime();
              if (!(t instanceof ConnectionLossException) || left <= 0) {
                out.completeExceptionally(t);
                return;
              }
              // copy(): the timeout must end this wait only, not the session's shared signal.
              session
                  .connectedSignal()
                  .copy()
                  .orTimeout(left, TimeUnit.NANOSECONDS)
                  .whenComplete(
                      (x, waitError) -> {
                        Throwable w = waitError == null ? null : unwrap(waitError);
                        if (w instanceof TimeoutException) {
                          out.completeExceptionally(t);
                        } else if (w != null) {
                          out.completeExceptionally(
                              new SessionLostException(
                                  session.id(),
                                  what + ": the session ended while waiting to retry",
                                  t));
                        } else {
                          retryStep(what, path, op, deadline, out);
                        }
                      });
            });
  }

  // ---- raw calls on server paths: one request each, KeeperException on failure

  /** A node as the server created it: its server path (with the sequence suffix) and stat. */
  record RawCreated(String path, Stat stat) {}

  CompletableFuture<RawCreated> create(
      String serverPath, byte[] data, List<ACL> acl, CreateMode mode, boolean existingIsFine) {
    CompletableFuture<RawCreated> f = new CompletableFuture<>();
    zk.create(
        serverPath,
        data,
        acl,
        mode,
        (rc, p, c, name, stat) -> {
          if (existingIsFine && rc == Code.NODEEXISTS.intValue()) {
            f.complete(new RawCreated(p, null));
          } else {
            settle(f, rc, p, new RawCreated(name, stat));
          }
        },
        null);
    return f;
  }

  /** The stat, or empty when there is no node (with the watch set either way). */
  CompletableFuture<Optional<Stat>> exists(String serverPath, Watcher watcher) {
    CompletableFuture<Optional<Stat>> f = new CompletableFuture<>();
    zk.exists(
        serverPath,
        watcher,
        (rc, p, c, stat) -> {
          if (rc == Code.NONODE.intValue()) {
            f.complete(Optional.empty());
          } else {
            settle(f, rc, p, Optional.ofNullable(stat));
          }
        },
        null);
    return f;
  }

  CompletableFuture<List<String>> getChildren(String serverPath, Watcher watcher) {
    CompletableFuture<List<String>> f = new CompletableFuture<>();
    zk.getChildren(
        serverPath,
        watcher,
        (rc, p, c, children) -> settle(f, rc, p, rc == 0 ? List.copyOf(children) : null),
        null);
    return f;
  }

  CompletableFuture<Session.Children> getChildrenWithStat(String serverPath, Watcher watcher) {
    CompletableFuture<Session.Children> f = new CompletableFuture<>();
    zk.getChildren(
        serverPath,
        watcher,
        (rc, p, c, children, stat) ->
            settle(f, rc, p, rc == 0 ? new Session.Children(List.copyOf(children), stat) : null),
        null);
    return f;
  }

  CompletableFuture<Void> delete(String serverPath, int version) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    zk.delete(serverPath, version, (rc, p, c) -> settle(f, rc, p, null), null);
    return f;
  }

  /** The data and stat, or empty when there is no node (with the watch set either way). */
  CompletableFuture<Optional<NodeData>> getData(String serverPath, Watcher watcher) {
    CompletableFuture<Optional<NodeData>> f = new CompletableFuture<>();
    zk.getData(
        serverPath,
        watcher,
        (rc, p, c, data, stat) -> {
          if (rc == Code.NONODE.intValue()) {
            f.complete(Optional.empty());
          } else {
            settle(f, rc, p, rc == 0 ? Optional.of(new NodeData(data, stat)) : null);
          }
        },
        null);
    return f;
  }

  CompletableFuture<Stat> setData(String serverPath, byte[] data, int version) {
    CompletableFuture<Stat> f = new CompletableFuture<>();
    zk.setData(serverPath, data, version, (rc, p, c, stat) -> settle(f, rc, p, stat), null);
    return f;
  }

  CompletableFuture<Void> addWatch(String serverPath, Watcher watcher, AddWatchMode mode) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    zk.addWatch(serverPath, watcher, mode, (rc, p, c) -> settle(f, rc, p, null), null);
    return f;
  }

  /** Removes the watcher's watches of any type; a watcher that is not registered is fine. */
  CompletableFuture<Void> removeWatches(String serverPath, Watcher watcher, boolean local) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    zk.removeWatches(
        serverPath,
        watcher,
        Watcher.WatcherType.Any,
        local,
        (rc, p, c) -> {
          if (rc == Code.NOWATCHER.intValue()) {
            f.complete(null);
          } else {
            settle(f, rc, p, null);
          }
        },
        null);
    return f;
  }

  /**
   * On failure the KeeperException carries the per-op results ({@link
   * KeeperException#getResults()}).
   */
  CompletableFuture<List<OpResult>> multi(List<Op> ops) {
    CompletableFuture<List<OpResult>> f = new CompletableFuture<>();
    zk.multi(
        ops,
        (rc, p, c, results) -> {
          if (rc == 0) {
            f.complete(List.copyOf(results));
          } else {
            f.completeExceptionally(
                new MultiFailed(Code.get(rc), results == null ? List.of() : List.copyOf(results)));
          }
        },
        null);
    return f;
  }

  /** A failed multi with its per-op results, which ZooKeeper's async API hands over separately. */
  static final class MultiFailed extends KeeperException {
    private final List<OpResult> results;

    MultiFailed(Code code, List<OpResult> results) {
      super(code);
      this.results = results;
    }

    @Override
    public List<OpResult> getResults() {
      return results;
    }
  }

  /** Completes {@code f} with {@code value} for result code 0, else with the code's exception. */
  private static <T> void settle(CompletableFuture<T> f, int rc, String path, T value) {
    if (rc == 0) {
      f.complete(value);
    } else {
      f.completeExceptionally(KeeperException.create(Code.get(rc), path));
    }
  }

  private Throwable translate(String what, ZkPath path, Throwable error) {
    if (!(error instanceof KeeperException ke)) {
      return error;
    }
    long id = session.id();
    return switch (ke.code()) {
      case SESSIONEXPIRED -> new SessionLostException(id, what + ": session expired", ke);
      case CONNECTIONLOSS, OPERATIONTIMEOUT, SESSIONMOVED ->
          new ConnectionLossException(
              what
                  + " in session 0x"
                  + Long.toHexString(id)
                  + ": "
                  + ke.code()
                  + ", outcome unknown",
              ke);
      case NOAUTH, AUTHFAILED, SESSIONCLOSEDREQUIRESASLAUTH -> new NotAuthorizedException(what, ke);
      default -> new ZooKeeperOperationException(what, path, ke);
    };
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
