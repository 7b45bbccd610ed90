package dev.baton.cache;

import dev.baton.core.Baton;
import dev.baton.core.Codec;
import dev.baton.core.CodecException;
import dev.baton.core.ZkPath;
import dev.baton.core.internal.SerialExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A typed value at one ZooKeeper node, decoded by a {@link Codec} and optionally validated, kept
 * current by a {@link NodeCache} (one persistent recursive watch).
 *
 * <pre>{@code
 * ConfigSubscription<Settings> cfg =
 *     ConfigSubscription.create(baton, ZkPath.of("/config/app"), Codec.json(Settings.class));
 * cfg.onChange((previous, current) -> current.ifPresent(v -> apply(v.value())));
 * cfg.onRejected(r -> alert(r.error().getMessage()));
 * Settings s = cfg.awaitValue(Duration.ofSeconds(10));
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>A write that fails to decode or validate is rejected: {@linkplain #onRejected reported}
 *       (also to the client's error handler, and counted in {@link #rejectedCount()}) and the last
 *       good value stays in force. The next good write replaces it as usual.
 *   <li>Values in force only move forward: each listener sees {@code mzxid}s increase. Writes that
 *       follow each other quickly may be coalesced (see {@link TreeCache}): a subscriber may skip
 *       intermediate values, never the last one.
 *   <li>A missing node is the state {@link State#ABSENT} ({@link #current()} empty) until it is
 *       created; no exception, no retry storm. Deleting the node moves to ABSENT and tells the
 *       listeners (current empty).
 *   <li>After a reconnect or a new session the node is read again: subscribers converge to the
 *       server's value.
 * </ul>
 *
 * <p>Thread-safe: the value in force is a volatile reference, changed only on the cache's event
 * lane. Listeners run on the client's listener executor, in order per listener.
 *
 * @param <T> the value type
 */
public final class ConfigSubscription<T> implements AutoCloseable {

  /** Where the subscription stands. */
  public enum State {
    /** The first read has not finished. */
    LOADING,
    /** The node does not exist. */
    ABSENT,
    /** A good value is in force. */
    PRESENT,
    /** The node exists but no write of it was ever accepted. */
    INVALID
  }

  private final ZkPath path;
  private final Codec<T> codec;
  private final ConfigOptions<T> options;
  private final Baton baton;
  private final NodeCache cache;
  private final CacheMetrics metrics;
  private final List<ChangeSlot<T>> changeSlots = new CopyOnWriteArrayList<>();
  private final List<Consumer<ConfigRejection>> rejectionSlots = new CopyOnWriteArrayList<>();
  private final CompletableFuture<T> first = new CompletableFuture<>();
  private final AtomicLong rejected = new AtomicLong();
  private volatile Optional<ConfigValue<T>> current = Optional.empty();
  private volatile State state = State.LOADING;

  private ConfigSubscription(Baton baton, ZkPath path, Codec<T> codec, ConfigOptions<T> options) {
    this.baton = baton;
    this.path = path;
    this.codec = codec;
    this.options = options;
    this.metrics = CacheMetrics.of(baton, "config", path.toString());
    this.cache = NodeCache.create(baton, path, "config");
    cache.addListener(this::onEvent);
    // A load that fails for good (the servers refuse our rights, for one) is not retried by the
    // cache: whoever waits for the first value is told why instead of waiting out a timeout.
    cache
        .initialized()
        .whenComplete(
            (v, error) -> {
              if (error != null) {
                first.completeExceptionally(Blocking.unwrap(error));
              }
            });
  }

  /** Subscribes to the value at {@code path}. */
  public static <T> ConfigSubscription<T> create(
      Baton baton, ZkPath path, Codec<T> codec, ConfigOptions<T> options) {
    Objects.requireNonNull(baton, "baton");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(options, "options");
    return new ConfigSubscription<>(baton, path, codec, options);
  }

  /** Subscribes with default options (no validation). */
  public static <T> ConfigSubscription<T> create(Baton baton, ZkPath path, Codec<T> codec) {
    return create(baton, path, codec, ConfigOptions.defaults());
  }

  /**
   * Subscribes with default options to the value at {@code path}.
   *
   * @throws IllegalArgumentException if the path is invalid (named in the message)
   */
  public static <T> ConfigSubscription<T> create(Baton baton, String path, Codec<T> codec) {
    return create(baton, ZkPath.of(path), codec, ConfigOptions.defaults());
  }

  /** {@link #create(Baton, ZkPath, Codec, ConfigOptions)} with a path string. */
  public static <T> ConfigSubscription<T> create(
      Baton baton, String path, Codec<T> codec, ConfigOptions<T> options) {
    return create(baton, ZkPath.of(path), codec, options);
  }

  /** The config node's path. */
  public ZkPath path() {
    return path;
  }

  /** The value in force, if any. */
  public Optional<T> current() {
    return current.map(ConfigValue::value);
  }

  /** The value in force with the write it came from, if any. */
  public Optional<ConfigValue<T>> currentValue() {
    return current;
  }

  /** Where the subscription stands. */
  public State state() {
    return state;
  }

  /** How many writes were rejected so far. */
  public long rejectedCount() {
    return rejected.get();
  }

  /** Adds a listener for changes of the value in force. */
  public void onChange(ConfigListener<T> listener) {
    Objects.requireNonNull(listener, "listener");
    SerialExecutor ex = serial("change listener");
    changeSlots.add(new ChangeSlot<>(listener, ex));
  }

  /** Adds a listener for rejected writes. */
  public void onRejected(Consumer<ConfigRejection> listener) {
    Objects.requireNonNull(listener, "listener");
    SerialExecutor ex = serial("rejection listener");
    rejectionSlots.add(r -> ex.execute(() -> listener.accept(r)));
  }

  /**
   * Completes with the first good value; fails if the subscription is closed first or its first
   * load fails for good (for example {@link dev.baton.core.NotAuthorizedException}).
   */
  public CompletableFuture<T> firstValue() {
    return first.copy();
  }

  /**
   * Waits for a good value: returns at once if one is in force.
   *
   * @throws dev.baton.core.BatonTimeoutException if none arrives within {@code timeout}
   */
  public T awaitValue(Duration timeout) throws InterruptedException {
    Optional<T> now = current();
    if (now.isPresent()) {
      return now.get();
    }
    return Blocking.await(first, timeout, "waiting for a value of config " + path);
  }

  /** Stops the subscription and removes its watch; idempotent. */
  @Override
  public void close() {
    cache.close();
    first.completeExceptionally(new IllegalStateException("config " + path + " is closed"));
  }

  // Runs on the cache's listener lane: one event at a time.
  private void onEvent(CacheEvent event) {
    if (event instanceof CacheEvent.Added a) {
      take(a.node());
    } else if (event instanceof CacheEvent.Changed c) {
      take(c.current());
    } else if (event instanceof CacheEvent.Removed) {
      Optional<ConfigValue<T>> previous = current;
      current = Optional.empty();
      state = State.ABSENT;
      if (previous.isPresent()) {
        announce(previous, Optional.empty());
      }
    } else if (event instanceof CacheEvent.Initialized i && !i.snapshot().containsKey(path)) {
      state = State.ABSENT;
    }
  }

  private void take(CachedNode node) {
    T value;
    try {
      value = codec.decode(node.data().bytes());
      Objects.requireNonNull(value, "the codec decoded null");
    } catch (RuntimeException e) {
      reject(node, new CodecException("config " + path + ": cannot decode " + where(node), e));
      return;
    }
    Optional<String> problem;
    try {
      problem = options.validator().problem(value);
    } catch (RuntimeException e) {
      problem = Optional.of("the validator threw " + e);
    }
    if (problem.isPresent()) {
      reject(
          node,
          new CodecException(
              "config " + path + ": invalid " + where(node) + ": " + problem.get(), null));
      return;
    }
    Optional<ConfigValue<T>> previous = current;
    current = Optional.of(new ConfigValue<>(value, node.czxid(), node.mzxid(), node.version()));
    state = State.PRESENT;
    announce(previous, current);
    first.complete(value);
  }

  private void reject(CachedNode node, CodecException error) {
    rejected.incrementAndGet();
    metrics.rejected();
    if (current.isEmpty()) {
      state = State.INVALID;
    }
    baton.errorHandler().handle("config " + path + " (last good value kept)", error);
    ConfigRejection r = new ConfigRejection(path, node.mzxid(), node.version(), node.data(), error);
    rejectionSlots.forEach(s -> s.accept(r));
  }

  private void announce(Optional<ConfigValue<T>> previous, Optional<ConfigValue<T>> now) {
    changeSlots.forEach(s -> s.executor().execute(() -> s.listener().changed(previous, now)));
  }

  private record ChangeSlot<T>(ConfigListener<T> listener, SerialExecutor executor) {}

  private static String where(CachedNode node) {
    return "write at mzxid 0x"
        + Long.toHexString(node.mzxid())
        + " (version "
        + node.version()
        + ")";
  }

  private SerialExecutor serial(String what) {
    return new SerialExecutor(
        baton.listenerExecutor(), t -> baton.errorHandler().handle(what + " of config " + path, t));
  }
}
