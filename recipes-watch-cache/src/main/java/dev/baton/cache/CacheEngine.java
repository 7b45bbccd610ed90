package dev.baton.cache;

import dev.baton.cache.CacheEvent.Initialized;
import dev.baton.cache.CacheEvent.ResyncReason;
import dev.baton.cache.CacheEvent.Resynced;
import dev.baton.core.Baton;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.NodeData;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZkPath;
import dev.baton.core.internal.SerialExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;

/**
 * The machinery behind {@link TreeCache}, {@link NodeCache}, {@link ConfigSubscription} and {@link
 * InvalidationChannel}: one persistent recursive watch on the root, a load, and events applied by
 * zxid.
 *
 * <h2>Concurrency</h2>
 *
 * Everything that decides happens on one lane (a {@link SerialExecutor} over the client's listener
 * executor), in the order ZooKeeper delivered it: watch events and read replies are enqueued from
 * ZooKeeper's event thread, which delivers both in server order. The contents ({@link CacheState})
 * are changed on the lane under {@code stateLock}, which readers of snapshots take briefly; no user
 * code runs under it. Events go to each listener through its own {@link SerialExecutor}, enqueued
 * by the lane, so each listener sees them one at a time in the lane's order.
 *
 * <h2>Failure</h2>
 *
 * Events that happen while disconnected are lost (ZooKeeper does not replay persistent watches), so
 * every reconnect of the session (Curator's RECONNECTED) and every new session resyncs: the watch
 * is added again (a no-op when ZooKeeper's client already restored it), the subtree is loaded again
 * and the difference is applied. A load that fails for a lost connection is abandoned: the
 * reconnect that must follow starts the next one. Other failures go to the client's error handler.
 *
 * <h2>Invariants</h2>
 *
 * Only the newest resync (its generation) may apply its load. A listener sees {@code Initialized}
 * after every load that was applied. Steps (an event's read, a deletion, a load) are applied in the
 * order their events arrived, each judged by zxid, so a late reply (also one from a replaced
 * session) can never move a node back.
 */
final class CacheEngine {

  private final Baton baton;
  private final ZkPath root;
  private final int maxDepth;
  private final String name;
  private final CacheMetrics metrics;
  private final SerialExecutor lane;
  private final ReentrantLock stateLock = new ReentrantLock();
  private final CacheState state;
  private NavigableMap<ZkPath, CachedNode> published; // guarded by stateLock; null when stale
  private final CacheListeners listeners;
  private final CompletableFuture<Void> initialized = new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ConnectionStateListener connectionListener = this::connectionChanged;
  // Confined to the lane:
  private Session session;
  private SessionWatcher watcher;
  private Session suspended; // the attached session, once its connection was suspended
  private long generation;
  private boolean initializedOnce;
  private final ArrayDeque<Step> pipeline = new ArrayDeque<>();

  /**
   * One change to apply, in the order ZooKeeper revealed it (an event or a resync). Its reads are
   * pipelined, but steps are applied strictly in order, so listeners see changes in event order
   * even when a later step's read returns first.
   */
  private static final class Step {
    private Supplier<List<CacheEvent>> apply;

    boolean ready() {
      return apply != null;
    }
  }

  /**
   * @param kind what the cache serves (tree, node, config, invalidation): names it in errors and
   *     tags its meters
   */
  CacheEngine(Baton baton, ZkPath root, int maxDepth, String kind) {
    this.baton = baton;
    this.root = root;
    this.maxDepth = maxDepth;
    this.name = kind + " cache " + root;
    this.metrics = CacheMetrics.of(baton, kind, root.toString());
    this.state = new CacheState(root);
    this.lane = new SerialExecutor(baton.listenerExecutor(), this::laneFailed);
    this.listeners = new CacheListeners(baton, name, metrics);
  }

  void start() {
    baton.curator().getConnectionStateListenable().addListener(connectionListener);
    nextSession(null);
  }

  ZkPath root() {
    return root;
  }

  String name() {
    return name;
  }

  CompletableFuture<Void> initialized() {
    return initialized.copy();
  }

  NavigableMap<ZkPath, CachedNode> snapshot() {
    stateLock.lock();
    try {
      if (published == null) {
        published = state.copy();
      }
      return published;
    } finally {
      stateLock.unlock();
    }
  }

  Optional<CachedNode> get(ZkPath path) {
    stateLock.lock();
    try {
      return state.get(path);
    } finally {
      stateLock.unlock();
    }
  }

  void addListener(CacheListener listener) {
    lane.execute(
        () -> {
          if (!closed.get()) {
            listeners.add(listener, initializedOnce ? Optional.of(snapshot()) : Optional.empty());
          }
        });
  }

  void removeListener(CacheListener listener) {
    listeners.remove(listener);
  }

  /** Stops: no more events; the watch is removed, waiting at most the connection timeout. */
  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    baton.curator().getConnectionStateListenable().removeListener(connectionListener);
    initialized.completeExceptionally(new IllegalStateException(name + " is closed"));
    CompletableFuture<Void> removed = new CompletableFuture<>();
    lane.execute(
        () -> {
          generation++;
          listeners.clear();
          Session s = session;
          if (s == null || !s.isConnected()) {
            removed.complete(null);
            return;
          }
          s.removeWatches(root, watcher)
              .whenComplete(
                  (v, e) -> {
                    if (e != null) {
                      baton.errorHandler().handle("removing the watch of " + name, e);
                    }
                    removed.complete(null);
                  });
        });
    try {
      removed.get(baton.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      baton.errorHandler().handle("removing the watch of " + name, e);
    }
  }

  // ---- sessions and resyncs (lane)

  private void nextSession(ResyncReason reason) {
    if (closed.get()) {
      return;
    }
    CompletableFuture<Session> next;
    try {
      next = baton.sessionAsync();
    } catch (IllegalStateException clientClosed) {
      return;
    }
    next.whenComplete(
        (s, e) -> {
          if (e == null) {
            lane.execute(() -> attach(s, reason));
          } else if (!closed.get() && !baton.isClosed()) {
            baton.errorHandler().handle("waiting for a session for " + name, e);
          }
        });
  }

  private void attach(Session s, ResyncReason reason) {
    if (closed.get() || s == session) {
      return;
    }
    session = s;
    watcher = new SessionWatcher(s);
    s.ended().thenRun(() -> nextSession(ResyncReason.NEW_SESSION));
    resync(s, reason);
  }

  /**
   * A suspension of the attached session marks it; the RECONNECTED that follows resyncs it. A new
   * session resyncs through {@link #attach} instead, so Curator's RECONNECTED for it (or a late
   * one) causes no second resync.
   */
  private void connectionChanged(CuratorFramework client, ConnectionState newState) {
    if (closed.get()) {
      return;
    }
    if (newState == ConnectionState.SUSPENDED || newState == ConnectionState.LOST) {
      lane.execute(() -> suspended = session);
    } else if (newState == ConnectionState.RECONNECTED) {
      lane.execute(
          () -> {
            Session s = session;
            boolean wasSuspended = s != null && suspended == s;
            suspended = null;
            if (wasSuspended
                && s.isAlive()
                && !baton.isClosed()
                && baton.currentSession().orElse(null) == s) {
              resync(s, ResyncReason.RECONNECTED);
            }
          });
    }
  }

  private void resync(Session s, ResyncReason reason) {
    if (closed.get() || s != session) {
      return;
    }
    long g = ++generation;
    if (reason != null) {
      metrics.resync(reason.name());
      append(() -> List.of(new Resynced(reason)));
    }
    Step load = pending();
    mutate(CacheState::beginResync);
    s.addWatch(root, watcher, AddWatchMode.PERSISTENT_RECURSIVE)
        .thenCompose(v -> SubtreeLoader.load(s, root, maxDepth))
        .whenComplete(
            (loaded, error) -> lane.execute(() -> complete(load, () -> finish(g, loaded, error))));
  }

  private List<CacheEvent> finish(long g, Map<ZkPath, CachedNode> loaded, Throwable error) {
    if (closed.get() || g != generation) {
      return List.of(); // a newer resync supersedes this load
    }
    if (error != null) {
      Throwable t = Blocking.unwrap(error);
      if (!(t instanceof SessionLostException) && !(t instanceof ConnectionLossException)) {
        baton.errorHandler().handle("loading " + name, t);
        if (!initializedOnce) {
          initialized.completeExceptionally(t);
        }
      }
      return List.of(); // a lost connection or session: the reconnect or the next session resyncs
    }
    List<CacheEvent> events = change(st -> st.finishResync(loaded));
    events.add(new Initialized(snapshot()));
    initializedOnce = true;
    return events;
  }

  private Step pending() {
    Step step = new Step();
    pipeline.add(step);
    return step;
  }

  private void append(Supplier<List<CacheEvent>> apply) {
    complete(pending(), apply);
  }

  /** Marks a step ready and applies every ready step at the head of the pipeline, in order. */
  private void complete(Step step, Supplier<List<CacheEvent>> apply) {
    step.apply = apply;
    while (!pipeline.isEmpty() && pipeline.peek().ready()) {
      emit(pipeline.poll().apply.get());
      if (initializedOnce) {
        initialized.complete(null);
      }
    }
  }

  // ---- watch events (lane)

  private void changed(Session s, ZkPath path, long zxid) {
    if (s != session || closed.get()) {
      return;
    }
    stateLock.lock();
    try {
      if (!state.needsRead(path, zxid)) {
        return; // coalesced: the cache already holds this write or a newer one
      }
    } finally {
      stateLock.unlock();
    }
    Step step = pending();
    s.getData(path, Optional.empty())
        .whenComplete(
            (data, error) -> lane.execute(() -> complete(step, () -> read(path, data, error))));
  }

  private List<CacheEvent> read(ZkPath path, Optional<NodeData> data, Throwable error) {
    if (closed.get()) {
      return List.of();
    }
    if (error != null) {
      Throwable t = Blocking.unwrap(error);
      if (!(t instanceof SessionLostException) && !(t instanceof ConnectionLossException)) {
        baton.errorHandler().handle("reading " + path + " for " + name, t);
      }
      return List.of(); // lost connection: the resync after the reconnect reads it again
    }
    // Empty: deleted since the event; its NodeDeleted event follows and removes it.
    return data.isEmpty()
        ? List.of()
        : change(st -> st.applyRead(SubtreeLoader.node(path, data.get())));
  }

  private void deleted(Session s, ZkPath path, long zxid) {
    if (s == session && !closed.get()) {
      append(() -> change(st -> st.applyDelete(path, zxid)));
    }
  }

  private List<CacheEvent> change(Function<CacheState, List<CacheEvent>> op) {
    stateLock.lock();
    try {
      published = null;
      return new ArrayList<>(op.apply(state));
    } finally {
      stateLock.unlock();
    }
  }

  private void mutate(java.util.function.Consumer<CacheState> op) {
    change(
        st -> {
          op.accept(st);
          return List.<CacheEvent>of();
        });
  }

  private void emit(List<CacheEvent> events) {
    listeners.emit(events);
  }

  private void laneFailed(Throwable t) {
    baton.errorHandler().handle(name, t);
  }

  /** The watch of one session; events of a replaced session are dropped on the lane. */
  private final class SessionWatcher implements Watcher {
    private final Session s;

    SessionWatcher(Session s) {
      this.s = s;
    }

    @Override
    public void process(WatchedEvent event) {
      if (closed.get() || event.getPath() == null) {
        return;
      }
      Optional<ZkPath> p = s.clientPath(event.getPath());
      if (p.isEmpty() || !root.contains(p.get()) || depth(p.get()) > maxDepth) {
        return;
      }
      ZkPath path = p.get();
      long zxid = event.getZxid();
      switch (event.getType()) {
        case NodeDeleted -> lane.execute(() -> deleted(s, path, zxid));
        case NodeCreated, NodeDataChanged -> lane.execute(() -> changed(s, path, zxid));
        default -> {}
      }
    }
  }

  private int depth(ZkPath p) {
    return p.segments().size() - root.segments().size();
  }
}
