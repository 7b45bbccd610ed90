package dev.baton.cache;

import dev.baton.core.Baton;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;

/**
 * A cache invalidation channel: a service publishes "key K changed" on a channel path, and every
 * subscriber's listener runs once per publish, so that local caches (Caffeine, a map...) evict K.
 *
 * <pre>{@code
 * InvalidationChannel channel = InvalidationChannel.create(baton, ZkPath.of("/inval/users"),
 *     InvalidationOptions.defaults());
 * try (InvalidationSubscription sub = channel.subscribe(signal -> {
 *       if (signal instanceof Invalidation.Key k) {
 *         users.invalidate(k.key());
 *       } else {
 *         users.invalidateAll(); // Invalidation.DropAll
 *       }
 *     })) {
 *   sub.awaitReady(Duration.ofSeconds(10));
 *   ...
 *   channel.publish("user-42", Duration.ofSeconds(5));   // after writing the source of truth
 * }
 * }</pre>
 *
 * <h2>How</h2>
 *
 * Each publish creates one persistent sequential child {@code k-NNNNNNNNNN} of the channel with the
 * key as data, so no two publishes coalesce (a data write to one node would). Subscribers watch the
 * channel with one persistent recursive watch each and deliver each new child once, in sequence
 * order. The channel trims itself: the publish with sequence n deletes the entry n - {@link
 * InvalidationOptions#retainedEntries()} (an entry whose trim was lost, for example because its
 * publisher died right after publishing, stays: subscribers ignore old entries, and deleting the
 * channel's children while nobody publishes resets it).
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>While a subscriber stays connected in one session, every publish that completes after its
 *       {@link InvalidationSubscription#ready()} reaches it exactly once, as {@link
 *       Invalidation.Key}, in sequence order.
 *   <li>After a disconnect or a new session, publishes in the gap may be missed, so the subscriber
 *       is sent one {@link Invalidation.DropAll} once the channel is watched and read again; keys
 *       published after that are delivered one by one again. A local cache that evicts everything
 *       on DropAll therefore never keeps an entry older than the last publish about it.
 *   <li>A publish whose reply was lost fails with {@code ConnectionLossException}; it may or may
 *       not have happened, and publishing again is harmless (an extra eviction).
 * </ul>
 *
 * <p>Publish after writing the source of truth: a subscriber that evicts then reloads must see the
 * new value. The channel is for coordination-sized traffic (each publish is a ZooKeeper write that
 * every subscriber reads).
 *
 * <p>Thread-safe and stateless apart from its settings.
 */
public final class InvalidationChannel {

  private static final String PREFIX = "k-";
  private static final int MAX_KEY_BYTES = 32 * 1024;

  private final Baton baton;
  private final ZkPath path;
  private final InvalidationOptions options;

  private InvalidationChannel(Baton baton, ZkPath path, InvalidationOptions options) {
    this.baton = baton;
    this.path = path;
    this.options = options;
  }

  /** A channel at {@code path} (created on the first publish). Writes nothing. */
  public static InvalidationChannel create(Baton baton, String path) {
    return create(baton, ZkPath.of(path), InvalidationOptions.defaults());
  }

  /** The channel at {@code path}. */
  public static InvalidationChannel create(Baton baton, ZkPath path, InvalidationOptions options) {
    Objects.requireNonNull(baton, "baton");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(options, "options");
    return new InvalidationChannel(baton, path, options);
  }

  /** The channel's path. */
  public ZkPath path() {
    return path;
  }

  /**
   * Publishes {@code key}; completes with its sequence on the channel.
   *
   * @throws IllegalArgumentException if the key is empty or longer than 32 KiB in UTF-8 (before
   *     anything is written)
   */
  public CompletableFuture<Long> publishAsync(String key) {
    byte[] data = checkKey(key);
    return baton.sessionAsync().thenCompose(s -> append(s, data));
  }

  /**
   * Publishes {@code key} and waits for it to be written.
   *
   * @return its sequence on the channel
   * @throws dev.baton.core.BatonTimeoutException if it takes longer than {@code timeout} (the
   *     publish may still happen)
   */
  public long publish(String key, Duration timeout) throws InterruptedException {
    return Blocking.await(publishAsync(key), timeout, "publishing on " + path);
  }

  /** Subscribes {@code listener}; see {@link InvalidationSubscription#ready()}. */
  public InvalidationSubscription subscribe(InvalidationListener listener) {
    Objects.requireNonNull(listener, "listener");
    return new InvalidationSubscription(new CacheEngine(baton, path, 1, "invalidation"), listener);
  }

  private CompletableFuture<Long> append(Session s, byte[] data) {
    ZkPath entry = path.child(PREFIX);
    return s.create(entry, data, CreateMode.PERSISTENT_SEQUENTIAL)
        .exceptionallyCompose(
            e -> {
              if (Blocking.unwrap(e) instanceof ZooKeeperOperationException z
                  && z.code() == Code.NONODE) {
                return s.ensurePath(path, CreateMode.PERSISTENT)
                    .thenCompose(v -> s.create(entry, data, CreateMode.PERSISTENT_SEQUENTIAL));
              }
              return CompletableFuture.failedFuture(Blocking.unwrap(e));
            })
        .thenApply(
            created -> {
              long seq = sequenceOf(created.path().name());
              trim(s, seq);
              return seq;
            });
  }

  private void trim(Session s, long seq) {
    long old = seq - options.retainedEntries();
    if (old < 0) {
      return;
    }
    s.delete(path.child(String.format("%s%010d", PREFIX, old)), -1)
        .whenComplete(
            (v, e) -> {
              if (e != null
                  && !(Blocking.unwrap(e) instanceof ZooKeeperOperationException z
                      && z.code() == Code.NONODE)) {
                baton.errorHandler().handle("trimming " + path, Blocking.unwrap(e));
              }
            });
  }

  /** The sequence in an entry name {@code k-0000000042}, or -1 for a foreign child. */
  static long sequenceOf(String name) {
    if (!name.startsWith(PREFIX)) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(PREFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private byte[] checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("invalidation key on " + path + " must not be empty");
    }
    byte[] data = key.getBytes(StandardCharsets.UTF_8);
    if (data.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "invalidation key on "
              + path
              + " is "
              + data.length
              + " bytes; at most "
              + MAX_KEY_BYTES);
    }
    return data;
  }
}
