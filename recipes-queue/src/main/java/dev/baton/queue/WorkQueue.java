package dev.baton.queue;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.Codec;
import dev.baton.core.CodecException;
import dev.baton.core.NodeData;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.core.internal.Futures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A crash-safe work queue on ZooKeeper: typed items, at-least-once delivery, priorities, delays,
 * batches, dead letters and an optional bound.
 *
 * <pre>{@code
 * WorkQueue<Order> orders = WorkQueue.create(baton, "/queues/orders", Codec.json(Order.class));
 * orders.put(order);
 * try (QueueConsumer c = orders.consume(o -> ship(o), ConsumerOptions.defaults().withConcurrency(4))) {
 *   ...
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * Items are persistent nodes: nothing is lost while the ensemble keeps a quorum. Delivery is
 * at-least-once: a consumer claims an item with an ephemeral claim node and acks it by deleting
 * item and claim in one transaction; a consumer that crashes, is closed or loses its session lets
 * go of its claims with it, and those items are delivered again. An acked item is never delivered
 * again. Puts are at-least-once too: a put whose reply was lost is looked up by its token and
 * written again only if it is not found, so if a consumer took and acked the first copy in that
 * window the item is in the queue twice (as two nodes with two ids). Order: highest priority first,
 * FIFO (by ZooKeeper's sequence) within a priority, for one consumer; several consumers work in
 * parallel and finish in any order. A delayed item is not delivered before its creation time on the
 * server plus its delay (judged by the servers' clock, so clock skew between producer and consumer
 * does not matter; the estimate's error is half a round trip).
 *
 * <h2>Batches</h2>
 *
 * {@link #putAll} writes all its items in one node with one request (all or nothing), up to {@link
 * QueueOptions#maxNodeBytes()}. A batch is claimed by one consumer as a whole and its items are
 * acked one by one (the node records which are done), so a batch is parallel only within that
 * consumer.
 *
 * <h2>Limits</h2>
 *
 * ZooKeeper is not a message broker: every item costs a few writes replicated by a quorum (put,
 * claim, ack). Consumers keep the list of items cached by two persistent recursive watches, so a
 * take does not list the queue; but every consumer holds the whole list in memory and every change
 * is sent to every consumer. Queues of tens of thousands of items work (see the README for the
 * figures measured); shard beyond that.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe. One instance is one consumer (it holds its own view and claims); {@link #close()}
 * releases whatever it has claimed and not settled, stops its consumers and its timer thread.
 *
 * @param <T> the item type
 */
public final class WorkQueue<T> implements AutoCloseable {

  private final Baton baton;
  private final QueuePaths paths;
  private final Codec<T> codec;
  private final QueueOptions options;
  private final ScheduledExecutorService timer;
  private final QueueView view;
  private final Taker<T> taker;
  private final Producer producer;
  private final QueueMetrics metrics;
  private final List<QueueConsumer> consumers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private WorkQueue(Baton baton, ZkPath root, Codec<T> codec, QueueOptions options) {
    this.baton = baton;
    this.paths = QueuePaths.of(root);
    this.codec = codec;
    this.options = options;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, baton.name() + "-queue" + root);
              t.setDaemon(true);
              return t;
            });
    this.view = new QueueView(baton, paths, timer, timer);
    String consumerName = baton.name() + "/" + UUID.randomUUID();
    AtomicHolder<Taker<T>> takerRef = new AtomicHolder<>();
    this.metrics =
        QueueMetrics.of(
            options.metricsRegistry().or(baton::meterRegistry),
            root,
            view::depth,
            () -> takerRef.value == null ? 0 : takerRef.value.inFlight());
    this.taker =
        new Taker<>(
            paths,
            view,
            codec,
            timer,
            baton.errorHandler(),
            metrics,
            baton.aclProvider(),
            consumerName);
    takerRef.value = taker;
    this.producer = new Producer(baton, paths, options, timer);
  }

  private static final class AtomicHolder<V> {
    volatile V value;
  }

  /** A queue at {@code path} with default options. */
  public static <T> WorkQueue<T> create(Baton baton, String path, Codec<T> codec) {
    return create(baton, path, codec, QueueOptions.defaults());
  }

  /**
   * A queue at {@code path}. Nothing is written until the first put or take.
   *
   * @throws IllegalArgumentException if the path is invalid (named in the message)
   */
  public static <T> WorkQueue<T> create(
      Baton baton, String path, Codec<T> codec, QueueOptions options) {
    Objects.requireNonNull(baton, "baton");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(options, "options");
    ZkPath root = ZkPath.of(path);
    if (root.isRoot()) {
      throw new IllegalArgumentException("a queue cannot live at the root path /");
    }
    return new WorkQueue<>(baton, root, codec, options);
  }

  /** The queue's path. */
  public ZkPath path() {
    return paths.root();
  }

  // ---- producing

  /**
   * Puts one item with default priority and no delay; returns its id.
   *
   * @throws CodecException if the item cannot be encoded (nothing written)
   * @throws IllegalArgumentException if the encoded item is larger than the node limit (nothing
   *     written)
   * @throws BatonTimeoutException if the queue is bounded and stayed full for the put wait
   */
  public String put(T item) throws InterruptedException {
    return put(item, PutOptions.defaults());
  }

  /** Puts one item with a priority and/or delay; returns its id. See {@link #put(Object)}. */
  public String put(T item, PutOptions placement) throws InterruptedException {
    return Futures.await(putAsync(item, placement));
  }

  /** {@link #put(Object, PutOptions)} without blocking. Bad input still throws at once. */
  public CompletableFuture<String> putAsync(T item, PutOptions placement) {
    return putAllAsync(List.of(Objects.requireNonNull(item, "item")), placement)
        .thenApply(ids -> ids.get(0));
  }

  /**
   * Puts all items in one node with one request: all are written or none. Returns their ids in
   * order.
   *
   * @throws IllegalArgumentException if the list is empty or the batch is larger than the node
   *     limit (nothing written)
   * @throws CodecException if any item cannot be encoded (nothing written)
   */
  public List<String> putAll(List<? extends T> items, PutOptions placement)
      throws InterruptedException {
    return Futures.await(putAllAsync(items, placement));
  }

  /** {@link #putAll} without blocking. Bad input still throws at once. */
  public CompletableFuture<List<String>> putAllAsync(
      List<? extends T> items, PutOptions placement) {
    checkOpen();
    Objects.requireNonNull(placement, "placement");
    byte[] data = encode(items);
    String token = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    String prefix = ItemName.prefix(placement.priority(), placement.delay().toMillis(), token);
    long start = System.nanoTime();
    int count = items.size();
    return producer
        .write(prefix, data)
        .thenApply(
            name -> {
              metrics.put(System.nanoTime() - start, count);
              List<String> ids = new ArrayList<>(count);
              for (int i = 0; i < count; i++) {
                ids.add(name + "#" + i);
              }
              return ids;
            });
  }

  private byte[] encode(List<? extends T> items) {
    Objects.requireNonNull(items, "items");
    if (items.isEmpty()) {
      throw new IllegalArgumentException("nothing to put into " + paths.root() + ": empty list");
    }
    List<byte[]> encoded = new ArrayList<>(items.size());
    long size = Entries.NODE_OVERHEAD;
    for (int i = 0; i < items.size(); i++) {
      T item = Objects.requireNonNull(items.get(i), "item " + i);
      byte[] b;
      try {
        b = codec.encode(item);
      } catch (RuntimeException e) {
        throw new CodecException(
            "cannot encode item " + i + " for queue " + paths.root() + "; nothing was written", e);
      }
      if (b == null) {
        throw new CodecException(
            "the codec encoded item " + i + " for " + paths.root() + " as null", null);
      }
      encoded.add(b);
      size += Entries.ENTRY_OVERHEAD + b.length;
    }
    if (size > options.maxNodeBytes()) {
      throw new IllegalArgumentException(
          (items.size() == 1 ? "item" : "batch of " + items.size() + " items")
              + " for "
              + paths.root()
              + " is "
              + size
              + " bytes encoded, over the limit of "
              + options.maxNodeBytes()
              + " (QueueOptions.maxNodeBytes); nothing was written");
    }
    return Entries.encodeItems(encoded);
  }

  // ---- consuming

  /**
   * Takes the next item, waiting up to {@code timeout}.
   *
   * @throws BatonTimeoutException if no item came in time
   */
  public Delivery<T> take(Duration timeout) throws InterruptedException {
    return poll(timeout)
        .orElseThrow(() -> new BatonTimeoutException("take from " + paths.root(), timeout));
  }

  /** Takes the next item, or empty if none came within {@code timeout}. */
  public Optional<Delivery<T>> poll(Duration timeout) throws InterruptedException {
    return Futures.await(pollAsync(timeout));
  }

  /** {@link #poll} without blocking a thread while it waits. */
  public CompletableFuture<Optional<Delivery<T>>> pollAsync(Duration timeout) {
    checkOpen();
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    return taker.poll(timeout);
  }

  /**
   * Starts a managed consumer: {@code options.concurrency()} threads take items and run {@code
   * handler}; a failing handler is retried with backoff and, after {@code options.maxAttempts()},
   * the item is dead-lettered with the failure as the reason. Close the returned handle (or this
   * queue) to stop it.
   */
  public QueueConsumer consume(ItemHandler<? super T> handler, ConsumerOptions options) {
    checkOpen();
    QueueConsumer c = new QueueConsumer(this, handler, options, baton.errorHandler());
    consumers.add(c);
    return c;
  }

  /** Item nodes in this consumer's view of the queue (loaded on first use; 0 before). */
  public int depth() {
    return view.depth();
  }

  /** Deliveries taken through this instance and not yet settled. */
  public int inFlight() {
    return taker.inFlight();
  }

  /** The dead letters, oldest first, read from the servers. */
  public List<DeadLetter<T>> deadLetters() throws InterruptedException {
    Session s = baton.awaitSession(baton.connectionTimeout());
    List<String> names =
        new ArrayList<>(
            Futures.await(
                s.getChildren(paths.dead(), Optional.empty()).exceptionally(e -> List.of())));
    names.sort(Comparator.naturalOrder());
    List<DeadLetter<T>> out = new ArrayList<>();
    for (String name : names) {
      Optional<NodeData> d = Futures.await(s.getData(paths.dead().child(name), Optional.empty()));
      if (d.isEmpty()) {
        continue;
      }
      Entries.Dead dead = Entries.decodeDead(d.get().data());
      Optional<T> item;
      try {
        item = Optional.ofNullable(codec.decode(dead.payload()));
      } catch (RuntimeException e) {
        item = Optional.empty();
      }
      out.add(
          new DeadLetter<>(
              name, dead.itemId(), dead.reason(), dead.attempts(), item, dead.payload().length));
    }
    return out;
  }

  /** How many times this consumer read a child list (for tests of the cached view). */
  long listCalls() {
    return view.listCalls();
  }

  /** Polls registered with the view and still waiting (for tests). */
  int waitingPolls() {
    return view.waiting();
  }

  void removeConsumer(QueueConsumer c) {
    consumers.remove(c);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("work queue " + paths.root() + " is closed");
    }
  }

  /**
   * Stops this instance's managed consumers (each waits for its in-flight handlers as its options
   * say), releases every item taken here and not settled (they are delivered again), removes the
   * watches and stops the timer thread. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    consumers.forEach(QueueConsumer::close);
    taker.releaseAll();
    view.close();
    timer.shutdownNow();
  }
}
