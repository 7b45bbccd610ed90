package dev.baton.core;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Curator's connection states into Baton's sessions: which session is current, when it is
 * suspended, when it is over. Curator tells us the state; the session id of Curator's current
 * ZooKeeper handle tells us which session that state belongs to, so a reconnect with a different
 * session id ends the old session (SESSION_REPLACED) even if no LOST state was reported in between.
 *
 * <p>Thread-safe: Curator delivers states on one thread in order; {@code current} is read lock-free
 * by others.
 */
final class SessionTracker implements ConnectionStateListener {

  private static final Logger log = LoggerFactory.getLogger(SessionTracker.class);

  private final CuratorFramework curator;
  private final ClientContext ctx;
  private final AtomicReference<Session> current = new AtomicReference<>();
  private final AtomicReference<CompletableFuture<Session>> next =
      new AtomicReference<>(new CompletableFuture<>());
  private long epochs;
  private volatile boolean closed;

  SessionTracker(CuratorFramework curator, ClientContext ctx) {
    this.curator = curator;
    this.ctx = ctx;
  }

  /** For a framework that was already connected when Baton attached to it. */
  synchronized void attach() {
    if (curator.getZookeeperClient().isConnected()) {
      connected();
    }
  }

  @Override
  public void stateChanged(CuratorFramework client, ConnectionState state) {
    if (closed) {
      return;
    }
    ctx.metrics().connectionState(state.name().toLowerCase(java.util.Locale.ROOT));
    switch (state) {
      case CONNECTED, RECONNECTED -> connected();
      case SUSPENDED, READ_ONLY -> Optional.ofNullable(current.get()).ifPresent(Session::suspended);
      case LOST -> lost();
    }
  }

  /**
   * Curator's LOST can arrive late, after the connection is back in the same session (seen: LOST,
   * RECONNECTED, LOST, RECONNECTED). A session whose handle is connected with its id cannot be
   * expired, so such a LOST is ignored; ending it would orphan nodes it still owns on the servers.
   */
  private synchronized void lost() {
    Session s = current.get();
    if (s == null) {
      return;
    }
    if (stillConnected(s)) {
      log.info("ignoring a late LOST for session 0x{}: it is connected", Long.toHexString(s.id()));
      return;
    }
    current.compareAndSet(s, null);
    log.info("session 0x{} lost", Long.toHexString(s.id()));
    s.end(LossReason.SESSION_EXPIRED);
  }

  private boolean stillConnected(Session s) {
    try {
      ZooKeeper zk = curator.getZookeeperClient().getZooKeeper();
      return curator.getZookeeperClient().isConnected()
          && zk == s.handle()
          && zk.getSessionId() == s.id()
          && zk.getState().isConnected();
    } catch (Exception e) {
      return false;
    }
  }

  private synchronized void connected() {
    ZooKeeper zk;
    try {
      zk = curator.getZookeeperClient().getZooKeeper();
    } catch (Exception e) {
      ctx.errors().handle("reading the session after a reconnect", e);
      return;
    }
    long id = zk.getSessionId();
    if (id == 0) {
      return; // already disconnected again; a later state change will tell
    }
    Session s = current.get();
    if (s != null && s.id() == id && s.handle() == zk) {
      s.reconnected();
      return;
    }
    if (s != null) {
      log.info("session 0x{} replaced by 0x{}", Long.toHexString(s.id()), Long.toHexString(id));
      s.end(LossReason.SESSION_REPLACED);
    }
    Session fresh = new Session(zk, id, ++epochs, ctx);
    current.set(fresh);
    next.getAndSet(new CompletableFuture<>()).complete(fresh);
  }

  /** The current session if it is alive (possibly suspended). */
  Optional<Session> current() {
    return Optional.ofNullable(current.get()).filter(Session::isAlive);
  }

  /** The current session, or the next one to be established. */
  CompletableFuture<Session> currentOrNext() {
    CompletableFuture<Session> waiting = next.get();
    Optional<Session> now = current();
    return now.isPresent() ? CompletableFuture.completedFuture(now.get()) : waiting.copy();
  }

  /** Ends tracking: the current session is over for this client, waiters fail. */
  void close(boolean deleteHoldNodes) {
    closed = true;
    Session s = current.getAndSet(null);
    if (s != null) {
      s.closeForClient(deleteHoldNodes, ctx.connectionTimeout());
    }
    next.get().completeExceptionally(new IllegalStateException("Baton client is closed"));
  }
}
