package dev.baton.cache;

import dev.baton.core.Baton;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A local copy of one node, kept up to date by one persistent recursive watch on it: a {@link
 * TreeCache} of depth 0, with the same guarantees, coalescing and resync behaviour. A missing node
 * is simply absent ({@link #current()} empty) until it is created; that is not an error.
 *
 * <pre>{@code
 * try (NodeCache flag = NodeCache.create(baton, ZkPath.of("/flags/maintenance"))) {
 *   flag.addListener(e -> refresh(flag.current()));
 * }
 * }</pre>
 *
 * <p>The watch is recursive (the one watch mode that never needs re-arming and reports creation),
 * so events of the node's children, if it has any, still reach this client and are ignored.
 *
 * <p>Thread-safe. Listeners as for {@link TreeCache}.
 */
public final class NodeCache implements AutoCloseable {

  private final CacheEngine engine;

  private NodeCache(CacheEngine engine) {
    this.engine = engine;
  }

  /** Starts caching the node at {@code path}. */
  public static NodeCache create(Baton baton, String path) {
    return create(baton, ZkPath.of(path));
  }

  /** A cache of the node at {@code path}. */
  public static NodeCache create(Baton baton, ZkPath path) {
    return create(baton, path, "node");
  }

  /** For recipes built on a node cache: {@code kind} names it in errors and meters. */
  static NodeCache create(Baton baton, ZkPath path, String kind) {
    Objects.requireNonNull(baton, "baton");
    Objects.requireNonNull(path, "path");
    CacheEngine engine = new CacheEngine(baton, path, 0, kind);
    engine.start();
    return new NodeCache(engine);
  }

  /** The node's path. */
  public ZkPath path() {
    return engine.root();
  }

  /** The node as last read, or empty while it does not exist (or before the first load). */
  public Optional<CachedNode> current() {
    return engine.get(engine.root());
  }

  /** Adds a listener (see {@link TreeCache#addListener}). */
  public void addListener(CacheListener listener) {
    engine.addListener(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener. */
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

  /** Stops the cache and removes its watch; idempotent. */
  @Override
  public void close() {
    engine.close();
  }
}
