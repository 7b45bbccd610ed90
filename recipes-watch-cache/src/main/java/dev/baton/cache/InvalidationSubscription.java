package dev.baton.cache;

import dev.baton.cache.CacheEvent.ResyncReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One subscriber of an {@link InvalidationChannel}: a {@link TreeCache} of depth 1 on the channel,
 * turning each new entry into a {@link Invalidation.Key} and each completed resync into one {@link
 * Invalidation.DropAll}.
 *
 * <p>Thread-safe; the translation runs on the cache's listener lane (confined state there).
 */
public final class InvalidationSubscription implements AutoCloseable {

  private final CacheEngine engine;
  private final InvalidationListener listener;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  // Confined to the cache's listener lane:
  private boolean live;
  private ResyncReason resyncing;

  InvalidationSubscription(CacheEngine engine, InvalidationListener l) {
    this.engine = engine;
    this.listener = l;
    engine.addListener(this::onEvent);
    engine.start();
  }

  /**
   * Completes once the channel is watched and loaded: every publish after that reaches this
   * subscriber (publishes before it may not).
   */
  public CompletableFuture<Void> ready() {
    return ready.copy();
  }

  /**
   * Waits for {@link #ready()}.
   *
   * @throws dev.baton.core.BatonTimeoutException if it takes longer than {@code timeout}
   */
  public void awaitReady(Duration timeout) throws InterruptedException {
    Blocking.await(ready, timeout, "subscribing to " + engine.name());
  }

  /** Stops delivering and removes the watch; idempotent. */
  @Override
  public void close() {
    engine.close();
    ready.completeExceptionally(new IllegalStateException(engine.name() + " is closed"));
  }

  private void onEvent(CacheEvent event) {
    if (event instanceof CacheEvent.Resynced r) {
      resyncing = r.reason();
    } else if (event instanceof CacheEvent.Initialized) {
      ResyncReason reason = resyncing;
      resyncing = null;
      if (live && reason != null) {
        deliver(new Invalidation.DropAll(reason));
      }
      live = true;
      ready.complete(null);
    } else if (event instanceof CacheEvent.Added a
        && live
        && resyncing == null
        && a.node().path().parent().equals(Optional.of(engine.root()))) {
      // Entries found by a load or during a resync are not delivered one by one: the DropAll at
      // the end of the resync covers them (and any that were trimmed before we could read them).
      deliver(
          new Invalidation.Key(
              new String(a.node().data().bytes(), StandardCharsets.UTF_8),
              InvalidationChannel.sequenceOf(a.node().path().name())));
    }
  }

  private void deliver(Invalidation signal) {
    listener.onInvalidation(signal); // already on this subscription's own serial listener lane
  }
}
