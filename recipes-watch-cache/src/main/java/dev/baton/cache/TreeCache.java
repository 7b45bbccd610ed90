package dev.baton.cache;

import dev.baton.core.Baton;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A local copy of a ZooKeeper subtree, kept up to date by ONE persistent recursive watch on its
 * root (ZooKeeper 3.6+ {@code addWatch}), however many nodes the subtree holds.
 *
 * <pre>{@code
 * try (TreeCache cache = TreeCache.create(baton, ZkPath.of("/services"), CacheOptions.defaults())) {
 *   cache.addListener(event -> {
 *     if (event instanceof CacheEvent.Added a) {
 *       register(a.node());
 *     } else if (event instanceof CacheEvent.Removed r) {
 *       unregister(r.previous());
 *     } // Changed, Initialized (a full snapshot), Resynced
 *   });
 *   cache.awaitInitialized(Duration.ofSeconds(10));
 *   NavigableMap<ZkPath, CachedNode> now = cache.snapshot();
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>Changes are detected by zxid: a node's {@code czxid} names its incarnation, its {@code
 *       mzxid} the write that produced its data. A node deleted and created again, even while this
 *       client was disconnected, is reported as {@link CacheEvent.Removed} then {@link
 *       CacheEvent.Added} with the new {@code czxid}; a read never replaces newer data with older.
 *   <li>For each node, the {@code mzxid}s listeners see only increase.
 *   <li>After every reconnect and every new session the cache resyncs: {@link CacheEvent.Resynced},
 *       then the differences against the server, then {@link CacheEvent.Initialized} again.
 *       <b>Converges</b> means: once writes stop and the client stays connected, the cache's
 *       contents equal the server's subtree (every path, czxid and mzxid), and the last event each
 *       listener received about a node describes its current state.
 *   <li>{@link #snapshot()} is a consistent, immutable view: the state after some prefix of the
 *       applied changes, never a mix.
 * </ul>
 *
 * <h2>Coalescing</h2>
 *
 * ZooKeeper's watch events carry no data, so the cache reads a node after each event. Several
 * writes to one node that land before the read are seen as one {@link CacheEvent.Changed} carrying
 * the newest data (versions may jump). Writes during a disconnect or before a new session are seen
 * only as their net effect at the resync (a node created and deleted in the gap is never seen). A
 * node created and deleted between an event and its read is never reported. No change is reported
 * out of order.
 *
 * <h2>Limits</h2>
 *
 * The whole subtree is in memory; a snapshot after a change copies the map (O(n)). A load reads
 * every node, so resyncs of very large subtrees cost one read per node. Nodes below {@link
 * CacheOptions#maxDepth()} are not cached but their events still reach this client.
 *
 * <p>Thread-safe. Listeners run on the client's listener executor, one event at a time in order per
 * listener; what they throw goes to the client's error handler and does not stop other listeners.
 */
public final class TreeCache implements AutoCloseable {

  private final CacheEngine engine;

  private TreeCache(CacheEngine engine) {
    this.engine = engine;
  }

  /**
   * Starts caching the subtree at {@code root} (which need not exist yet: then the cache is empty
   * until it is created).
   */
  public static TreeCache create(Baton baton, ZkPath root, CacheOptions options) {
    Objects.requireNonNull(baton, "baton");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(options, "options");
    CacheEngine engine = new CacheEngine(baton, root, options.maxDepth(), "tree");
    engine.start();
    return new TreeCache(engine);
  }

  /** Like {@link #create(Baton, ZkPath, CacheOptions)} with default options. */
  public static TreeCache create(Baton baton, String root) {
    return create(baton, ZkPath.of(root), CacheOptions.defaults());
  }

  /** The root path. */
  public ZkPath root() {
    return engine.root();
  }

  /**
   * Adds a listener. If the cache was already initialized, its first event is an {@link
   * CacheEvent.Initialized} with the current contents; then it receives every later event.
   */
  public void addListener(CacheListener listener) {
    engine.addListener(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener (events already queued for it may still arrive). */
  public void removeListener(CacheListener listener) {
    engine.removeListener(listener);
  }

  /** Completes when the first load has been applied; fails if the cache is closed first. */
  public CompletableFuture<Void> initialized() {
    return engine.initialized();
  }

  /**
   * Waits for the first load.
   *
   * @throws dev.baton.core.BatonTimeoutException if it takes longer than {@code timeout}
   */
  public void awaitInitialized(Duration timeout) throws InterruptedException {
    Blocking.await(engine.initialized(), timeout, "initializing " + engine.name());
  }

  /** The cached nodes by path: an immutable, consistent view. */
  public NavigableMap<ZkPath, CachedNode> snapshot() {
    return engine.snapshot();
  }

  /** The cached node at {@code path}, if any. */
  public Optional<CachedNode> get(ZkPath path) {
    return engine.get(path);
  }

  /** Stops the cache and removes its watch; idempotent. */
  @Override
  public void close() {
    engine.close();
  }
}
