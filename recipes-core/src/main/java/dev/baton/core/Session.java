package dev.baton.core;

import dev.baton.core.HoldTransitions.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * One ZooKeeper session of a {@link Baton} client: an epoch. Every hold and every operation started
 * through a session is bound to it and can never continue in a later session.
 *
 * <h2>Concurrency</h2>
 *
 * Operations run on the session's own ZooKeeper handle, which ZooKeeper ties to exactly one session
 * for its whole life: once the session ends, every call on it fails with {@code SESSIONEXPIRED}, so
 * no retry can ever leak into the next session (Curator's retry loops would move on to a new
 * handle; that is why Baton does not use them here). A connection loss inside the session is
 * retried for idempotent operations (reads, deletes) until the connection is back, the session
 * ends, or the client's connection timeout passes; writes whose reply was lost (create, multi) fail
 * with {@link ConnectionLossException} and leave it to the recipe to find its work again.
 *
 * <h2>Failure</h2>
 *
 * Async results fail with the {@link BatonException} family: {@link SessionLostException} once the
 * session is over, {@link ConnectionLossException}, {@link NotAuthorizedException}, {@link
 * ZooKeeperOperationException}.
 *
 * <h2>Invariants</h2>
 *
 * Connection state moves CONNECTED to SUSPENDED and back, and finally to OVER, under {@code
 * stateLock}; holds are registered and signalled under the same lock so that a hold never misses a
 * change. Thread-safe.
 */
public final class Session {

  private enum Connection {
    CONNECTED,
    SUSPENDED,
    OVER
  }

  private final ZooKeeper zk;
  private final long id;
  private final long epoch;
  private final ClientContext ctx;
  private final SessionCalls calls;
  private final ReentrantLock stateLock = new ReentrantLock();
  private final Set<Hold> holds = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<LossReason> ended = new CompletableFuture<>();
  private volatile Connection connection = Connection.CONNECTED;
  private volatile CompletableFuture<Void> connected = CompletableFuture.completedFuture(null);

  Session(ZooKeeper zk, long id, long epoch, ClientContext ctx) {
    this.zk = zk;
    this.id = id;
    this.epoch = epoch;
    this.ctx = ctx;
    this.calls = new SessionCalls(this, zk, ctx);
  }

  /** ZooKeeper's session id. */
  public long id() {
    return id;
  }

  /** 1 for the client's first session, 2 for the next, and so on. */
  public long epoch() {
    return epoch;
  }

  /** Whether the session is not over (it may be suspended). */
  public boolean isAlive() {
    return connection != Connection.OVER;
  }

  /** Whether the session is alive and currently connected. */
  public boolean isConnected() {
    return connection == Connection.CONNECTED;
  }

  /**
   * Throws unless the session is alive.
   *
   * @throws SessionLostException naming this session and why it ended
   */
  public void checkAlive() {
    if (connection == Connection.OVER) {
      throw new SessionLostException(id, "ended (" + ended.getNow(null) + ")");
    }
  }

  /**
   * Completes when the session is connected (at once if it is), fails with {@link
   * SessionLostException} if it ends first. For work that must wait out a connection loss.
   */
  public CompletableFuture<Void> whenConnected() {
    return connected.copy();
  }

  /** Completes with the reason when the session is over. */
  public CompletionStage<LossReason> ended() {
    return ended.minimalCompletionStage();
  }

  /**
   * The path on the server (namespace applied) of a client path, for building {@link Op}s for
   * {@link #multi}.
   */
  public String serverPath(ZkPath path) {
    return ctx.serverPath(path);
  }

  // ---- operations
  // ---------------------------------------------------------------------------------------------

  /**
   * A node created by {@link #create}: its path (the server's name for sequential nodes) and stat.
   */
  public record Created(ZkPath path, Stat stat) {}

  /**
   * Creates a node with the client's ACL. One attempt: if the reply is lost the outcome is unknown
   * and the future fails with {@link ConnectionLossException}. The parent must exist (see {@link
   * #ensurePath}).
   */
  public CompletableFuture<Created> create(ZkPath path, byte[] data, CreateMode mode) {
    return calls.attempt(
        "create " + path,
        path,
        () ->
            calls
                .create(ctx.serverPath(path), data, ctx.acls().aclFor(path), mode, false)
                .thenApply(c -> new Created(ctx.clientPath(c.path()), c.stat())));
  }

  /**
   * Makes sure {@code path} and all its parents (inside the namespace, and the namespace itself)
   * exist, creating the missing ones as {@code mode} nodes ({@link CreateMode#PERSISTENT} or {@link
   * CreateMode#CONTAINER}). Idempotent and safe against concurrent creators; retried across
   * connection loss. Every node it creates, parents included, gets the ACL the client's {@link
   * AclProvider} gives for {@code path} itself; nodes that already exist keep theirs.
   */
  public CompletableFuture<Void> ensurePath(ZkPath path, CreateMode mode) {
    if (mode.isEphemeral() || mode.isSequential()) {
      throw new IllegalArgumentException("parents of " + path + " cannot be " + mode + " nodes");
    }
    List<String> serverPaths = new ArrayList<>();
    String full = ctx.serverPath(path);
    for (int i = full.indexOf('/', 1); i > 0; i = full.indexOf('/', i + 1)) {
      serverPaths.add(full.substring(0, i));
    }
    if (!full.equals("/")) {
      serverPaths.add(full);
    }
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (String p : serverPaths) {
      chain =
          chain.thenCompose(
              v ->
                  calls.retrying(
                      "ensure " + p,
                      path,
                      () ->
                          calls
                              .create(p, new byte[0], ctx.acls().aclFor(path), mode, true)
                              .thenApply(c -> (Void) null)));
    }
    return chain;
  }

  /**
   * The node's stat, or empty if it does not exist. Sets {@code watcher} when given. Retried across
   * connection loss.
   */
  public CompletableFuture<Optional<Stat>> exists(ZkPath path, Optional<Watcher> watcher) {
    return calls.retrying(
        "exists " + path, path, () -> calls.exists(ctx.serverPath(path), watcher.orElse(null)));
  }

  /**
   * The names of the node's children (unsorted). Sets {@code watcher} when given. Retried across
   * connection loss.
   */
  public CompletableFuture<List<String>> getChildren(ZkPath path, Optional<Watcher> watcher) {
    return calls.retrying(
        "getChildren " + path,
        path,
        () -> calls.getChildren(ctx.serverPath(path), watcher.orElse(null)));
  }

  /**
   * The node's data and stat, or empty if it does not exist. Sets {@code watcher} when given (it
   * fires on a change or deletion, or on creation if the node did not exist). Retried across
   * connection loss.
   */
  public CompletableFuture<Optional<NodeData>> getData(ZkPath path, Optional<Watcher> watcher) {
    return calls.retrying(
        "getData " + path, path, () -> calls.getData(ctx.serverPath(path), watcher.orElse(null)));
  }

  /**
   * Replaces a node's data if its version is {@code version} (-1 for any); returns the new stat.
   * One attempt, like {@link #create}: a lost reply fails with {@link ConnectionLossException} (a
   * retry with the same version would see {@code BADVERSION} after a write that succeeded).
   */
  public CompletableFuture<Stat> setData(ZkPath path, byte[] data, int version) {
    return calls.attempt(
        "setData " + path, path, () -> calls.setData(ctx.serverPath(path), data, version));
  }

  /**
   * Adds a persistent watch ({@link AddWatchMode#PERSISTENT}) or persistent recursive watch ({@link
   * AddWatchMode#PERSISTENT_RECURSIVE}) on {@code path}: it stays until removed or the session
   * ends, and ZooKeeper's client sets it again by itself after a reconnect inside the session.
   * Events that happened while disconnected are not replayed: callers resynchronise on reconnect.
   * The watcher sees server paths ({@link #clientPath}). Retried across connection loss (adding the
   * same watcher twice is harmless).
   */
  public CompletableFuture<Void> addWatch(ZkPath path, Watcher watcher, AddWatchMode mode) {
    return calls.retrying(
        "addWatch " + path, path, () -> calls.addWatch(ctx.serverPath(path), watcher, mode));
  }

  /**
   * Removes every watch {@code watcher} has on {@code path}, on the server too. Completes normally
   * if there was none. The watcher then receives one last event, of type {@code
   * PersistentWatchRemoved} (for a persistent watch) or {@code DataWatchRemoved}/{@code
   * ChildWatchRemoved}. Retried across connection loss.
   */
  public CompletableFuture<Void> removeWatches(ZkPath path, Watcher watcher) {
    return calls.retrying(
        "removeWatches " + path,
        path,
        () -> calls.removeWatches(ctx.serverPath(path), watcher, false));
  }

  /**
   * The client path of a server path in an event (the namespace removed), or empty if the server
   * path lies outside the client's namespace.
   */
  public Optional<ZkPath> clientPath(String serverPath) {
    return ctx.clientPathIfInside(serverPath);
  }

  /**
   * A node's children with the node's stat from the same read: its {@code pzxid} is the zxid of the
   * last child created or deleted, so a watch event with a higher zxid is news and one with a lower
   * or equal zxid is already reflected in {@code names}.
   */
  public record Children(List<String> names, Stat stat) {}

  /**
   * {@link #getChildren} with the parent's stat ({@link Children}). Retried across connection loss.
   */
  public CompletableFuture<Children> getChildrenWithStat(ZkPath path, Optional<Watcher> watcher) {
    return calls.retrying(
        "getChildren " + path,
        path,
        () -> calls.getChildrenWithStat(ctx.serverPath(path), watcher.orElse(null)));
  }

  /**
   * Deletes a node at {@code version} (-1 for any). Retried across connection loss, so a delete
   * whose first reply was lost may report {@code NONODE} on the retry: callers that only want the
   * node gone should treat NONODE as success.
   */
  public CompletableFuture<Void> delete(ZkPath path, int version) {
    return calls.retrying(
        "delete " + path, path, () -> calls.delete(ctx.serverPath(path), version));
  }

  /**
   * Runs ZooKeeper operations atomically (all or none). Paths in the ops are server paths ({@link
   * #serverPath}). One attempt, like {@link #create}.
   */
  public CompletableFuture<List<OpResult>> multi(List<Op> ops) {
    return calls.attempt("multi of " + ops.size() + " ops", null, () -> calls.multi(ops));
  }

  // ---- holds
  // --------------------------------------------------------------------------------------------------

  /**
   * Registers a hold on {@code path}, an ephemeral node this session created. The server is asked
   * first: the hold is made only if the node exists and its {@code ephemeralOwner} is this session,
   * so a node left by an earlier session of ours never counts.
   *
   * <p>Fails with {@link IllegalArgumentException} if the node belongs to another session or is not
   * ephemeral, with {@link HoldLostException} if it is already gone, with {@link
   * SessionLostException} if this session is over.
   */
  public CompletableFuture<Hold> hold(ZkPath path) {
    HoldWatcher watcher = new HoldWatcher();
    return exists(path, Optional.of(watcher))
        .thenApply(
            stat -> {
              if (stat.isEmpty()) {
                throw new HoldLostException(
                    path,
                    LossReason.NODE_DELETED,
                    "the node was gone before the hold was registered");
              }
              long owner = stat.get().getEphemeralOwner();
              if (owner != id) {
                throw new IllegalArgumentException(
                    "cannot hold "
                        + path
                        + ": its ephemeralOwner is 0x"
                        + Long.toHexString(owner)
                        + ", not this session 0x"
                        + Long.toHexString(id));
              }
              Hold hold =
                  new Hold(this, path, stat.get().getCzxid(), ctx.listenerExecutor(), ctx.errors());
              watcher.hold = hold;
              register(hold);
              if (watcher.deletedBeforeRegistration) {
                hold.signal(Signal.LOST, LossReason.NODE_DELETED);
              }
              return hold;
            });
  }

  private void register(Hold hold) {
    stateLock.lock();
    try {
      holds.add(hold);
      ctx.metrics().holdsActive(1);
      if (connection == Connection.SUSPENDED) {
        hold.signal(Signal.SUSPENDED, null);
      } else if (connection == Connection.OVER) {
        hold.signal(Signal.LOST, ended.getNow(LossReason.SESSION_EXPIRED));
      }
    } finally {
      stateLock.unlock();
    }
  }

  /** Called by a hold that reached a final state. */
  void forget(Hold hold) {
    if (holds.remove(hold)) {
      ctx.metrics().holdsActive(-1);
      if (hold.state() == HoldState.LOST) {
        ctx.metrics().holdLost(hold.lossReason().orElse(LossReason.SESSION_EXPIRED));
      }
    }
  }

  /**
   * Watches a hold's node: deleted or session gone means lost; a data change only re-arms the
   * watch.
   */
  private final class HoldWatcher implements Watcher {
    volatile Hold hold;
    volatile boolean deletedBeforeRegistration;

    @Override
    public void process(WatchedEvent event) {
      Hold h = hold;
      if (h == null) {
        // ZooKeeper delivers the exists reply before any event of its watch, on one thread, so this
        // is not expected; kept so that an early deletion can never be missed.
        deletedBeforeRegistration |= event.getType() == Event.EventType.NodeDeleted;
        return;
      }
      if (h.state().isTerminal()) {
        return;
      }
      switch (event.getType()) {
        case NodeDeleted -> h.signal(Signal.LOST, LossReason.NODE_DELETED);
        case NodeDataChanged, NodeCreated -> verify(h, Optional.of(this));
        case None -> {
          if (event.getState() == Event.KeeperState.Expired
              || event.getState() == Event.KeeperState.Closed) {
            h.signal(Signal.LOST, LossReason.SESSION_EXPIRED);
          }
        }
        default -> {}
      }
    }
  }

  /**
   * Asks the server whether the hold's node is still ours; confirms or loses the hold accordingly.
   */
  private void verify(Hold hold, Optional<Watcher> rearm) {
    exists(hold.path(), rearm)
        .whenComplete(
            (stat, error) -> {
              if (error != null) {
                if (SessionCalls.unwrap(error) instanceof SessionLostException) {
                  hold.signal(Signal.LOST, ended.getNow(LossReason.SESSION_EXPIRED));
                }
                // Connection lost again: the next reconnect verifies again.
                return;
              }
              if (stat.isPresent()
                  && stat.get().getEphemeralOwner() == id
                  && stat.get().getCzxid() == hold.czxid()) {
                if (connection == Connection.CONNECTED) {
                  hold.signal(Signal.CONFIRMED, null);
                }
              } else {
                hold.signal(Signal.LOST, LossReason.NODE_DELETED);
              }
            });
  }

  /**
   * Deletes {@code path} if it is this session's node (its {@code ephemeralOwner} is this session),
   * retrying across connection loss for as long as the session lives: the way to give back an
   * ephemeral node whatever the connection does. Completes (never fails) when the node is gone, is
   * not ours, or the session is over (the servers then delete it themselves). Other failures, such
   * as a refused ACL, go to the client's error handler.
   */
  public CompletableFuture<Void> deleteIfOwned(ZkPath path) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    deleteOwnedStep(path, done);
    return done;
  }

  private void deleteOwnedStep(ZkPath path, CompletableFuture<Void> done) {
    if (connection == Connection.OVER) {
      done.complete(null);
      return;
    }
    calls
        .attempt("exists " + path, path, () -> calls.exists(ctx.serverPath(path), null))
        .thenCompose(
            stat -> {
              if (stat.isEmpty() || stat.get().getEphemeralOwner() != id) {
                return CompletableFuture.completedFuture(null);
              }
              return calls.attempt(
                  "delete " + path,
                  path,
                  () -> calls.delete(ctx.serverPath(path), stat.get().getVersion()));
            })
        .whenComplete(
            (v, error) -> {
              Throwable e = error == null ? null : SessionCalls.unwrap(error);
              if (e == null
                  || e instanceof SessionLostException
                  || (e instanceof ZooKeeperOperationException z && z.code() == Code.NONODE)) {
                done.complete(null);
              } else if (e instanceof ConnectionLossException) {
                connected.whenComplete((x, y) -> deleteOwnedStep(path, done));
              } else {
                ctx.errors().handle("release of " + path, e);
                done.complete(null);
              }
            });
  }

  // ---- connection state, driven by the client's session tracker
  // -----------------------------------------------

  void suspended() {
    stateLock.lock();
    try {
      if (connection != Connection.CONNECTED) {
        return;
      }
      connection = Connection.SUSPENDED;
      connected = new CompletableFuture<>();
      holds.forEach(h -> h.signal(Signal.SUSPENDED, null));
    } finally {
      stateLock.unlock();
    }
  }

  void reconnected() {
    CompletableFuture<Void> waiting;
    stateLock.lock();
    try {
      if (connection != Connection.SUSPENDED) {
        return;
      }
      connection = Connection.CONNECTED;
      waiting = connected;
    } finally {
      stateLock.unlock();
    }
    waiting.complete(null);
    holds.forEach(h -> verify(h, Optional.empty()));
  }

  void end(LossReason reason) {
    CompletableFuture<Void> waiting;
    stateLock.lock();
    try {
      if (connection == Connection.OVER) {
        return;
      }
      connection = Connection.OVER;
      waiting = connected;
      ended.complete(reason);
      List.copyOf(holds).forEach(h -> h.signal(Signal.LOST, reason));
    } finally {
      stateLock.unlock();
    }
    waiting.completeExceptionally(new SessionLostException(id, "ended (" + reason + ")"));
  }

  /**
   * Ends the session for a closing client: its holds become LOST with {@link
   * LossReason#CLIENT_CLOSED}. When the client does not own the ZooKeeper connection (the session
   * lives on), the holds' nodes are then deleted, one attempt each, waiting at most {@code wait}.
   */
  void closeForClient(boolean deleteHoldNodes, Duration wait) {
    List<ZkPath> paths = holds.stream().map(Hold::path).toList();
    end(LossReason.CLIENT_CLOSED);
    if (!deleteHoldNodes || paths.isEmpty()) {
      return;
    }
    List<CompletableFuture<Void>> deletes = new ArrayList<>();
    for (ZkPath path : paths) {
      String serverPath = ctx.serverPath(path);
      deletes.add(
          calls
              .exists(serverPath, null)
              .thenCompose(
                  stat ->
                      stat.isPresent() && stat.get().getEphemeralOwner() == id
                          ? calls.delete(serverPath, stat.get().getVersion())
                          : CompletableFuture.<Void>completedFuture(null)));
    }
    try {
      CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new))
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      ctx.errors()
          .handle("deleting hold nodes of session 0x" + Long.toHexString(id) + " on close", e);
    }
  }

  ZooKeeper handle() {
    return zk;
  }

  /**
   * Completes when the session is connected; replaced on each suspension; fails when the session
   * ends.
   */
  CompletableFuture<Void> connectedSignal() {
    return connected;
  }

  /** Why the session ended, or null while it is alive. */
  LossReason endReason() {
    return ended.getNow(null);
  }

  @Override
  public String toString() {
    return "Session[0x" + Long.toHexString(id) + ", epoch " + epoch + ", " + connection + "]";
  }
}
