package dev.baton.barrier;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;

/**
 * A countdown latch shared by every client: it starts at N, any client counts it down, and {@link
 * #await} returns once it is zero.
 *
 * <pre>{@code
 * DistributedCountDownLatch ready = DistributedCountDownLatch.create(baton, "/latches/load", 3);
 * ready.countDown(Duration.ofSeconds(10));      // on each of the 3 loaders
 * ready.await(Duration.ofMinutes(1));           // anywhere: returns once all 3 counted down
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * The latch is a persistent node holding N; each count-down is a persistent child {@code d-<uuid>}
 * named by a random id the caller draws once per call. The count is N minus the number of children,
 * never below zero. A count-down whose reply was lost (connection loss, even a new session) looks
 * for its own child before creating it again, and a second create of the same name fails with
 * NODEEXISTS, so each call is applied at most once, and exactly once when it returns normally. The
 * count never rises, so once an awaiter has seen zero every later read sees zero. A count-down on a
 * latch already at zero writes nothing (two racing ones may both write; the count stays zero).
 *
 * <h2>Ownership</h2>
 *
 * None; the latch outlives the clients and sessions that use it. Every handle on a path must agree
 * on N: the first one writes it, later ones check it.
 *
 * <h2>Loss</h2>
 *
 * Nothing is held. Waits continue in the client's next session; connection and session events never
 * release an awaiter, only a read that shows the count at zero does. A count-down that times out
 * (no connection for that long) may or may not have been applied.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe; async forms park no thread.
 *
 * <h2>Metrics</h2>
 *
 * {@code baton.barrier.wait} timer with {@code kind=latch} when the client has a registry.
 */
public final class DistributedCountDownLatch {

  static final String COUNT_DOWN_PREFIX = "d-";

  private final Baton baton;
  private final ZkPath path;
  private final int count;
  private final BarrierMetrics metrics;

  private DistributedCountDownLatch(Baton baton, ZkPath path, int count) {
    this.baton = Objects.requireNonNull(baton, "baton");
    this.path = path;
    this.count = count;
    this.metrics = BarrierMetrics.of(baton, path);
  }

  /**
   * A latch at {@code path} that starts at {@code count}; nothing is written until first use.
   *
   * @throws IllegalArgumentException if the path is invalid or the root, or count &lt; 1
   */
  public static DistributedCountDownLatch create(Baton baton, String path, int count) {
    return create(baton, ZkPath.of(path), count);
  }

  /** A latch at {@code path}. */
  public static DistributedCountDownLatch create(Baton baton, ZkPath path, int count) {
    Barrier.checkPath(path, "a countdown latch");
    if (count < 1) {
      throw new IllegalArgumentException(
          "countdown latch " + path + " needs a count of at least 1, got " + count);
    }
    return new DistributedCountDownLatch(baton, path, count);
  }

  /** The latch's path. */
  public ZkPath path() {
    return path;
  }

  /** N, the starting count. */
  public int initialCount() {
    return count;
  }

  /**
   * The count now, as the servers show it.
   *
   * @throws IllegalStateException if the latch node holds a different N
   * @throws InterruptedException if interrupted while asking
   */
  public int count() throws InterruptedException {
    return Futures.await(countAsync());
  }

  /** {@link #count()} without blocking. */
  public CompletableFuture<Integer> countAsync() {
    return Idempotent.run(
        baton,
        new CompletableFuture<>(),
        s -> init(s).thenCompose(v -> s.getChildren(path, Optional.empty())).thenApply(this::left));
  }

  /**
   * Counts down by one (no effect at zero).
   *
   * @throws BatonTimeoutException if no connection let it through within {@code timeout}; it may
   *     then have been applied or not
   * @throws InterruptedException if interrupted while waiting (it may have been applied)
   */
  public void countDown(Duration timeout) throws InterruptedException {
    Futures.await(countDownAsync(timeout));
  }

  /** {@link #countDown} without blocking a thread. */
  public CompletableFuture<Void> countDownAsync(Duration timeout) {
    return countDownAsync(timeout, UUID.randomUUID().toString());
  }

  /** A count-down with a given id: the same id is applied once, however often it is sent. */
  CompletableFuture<Void> countDownAsync(Duration timeout, String id) {
    Futures.checkTimeout(timeout);
    ZkPath child = path.child(COUNT_DOWN_PREFIX + id);
    CompletableFuture<Void> result = new CompletableFuture<>();
    Idempotent.run(baton, result, s -> init(s).thenCompose(v -> applyOnce(s, child)))
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                result.complete(null);
              } else {
                result.completeExceptionally(Futures.unwrap(e));
              }
            });
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(
            () ->
                result.completeExceptionally(
                    new BatonTimeoutException(
                        "count down " + path + " (outcome unknown)", timeout)));
    return result;
  }

  /**
   * Creates our count-down child unless it exists (an earlier try of this call went through, maybe
   * in an earlier session: it is persistent) or the latch is at zero. A create of the same name
   * racing with an earlier try fails with NODEEXISTS, which means applied.
   */
  private CompletableFuture<Void> applyOnce(Session s, ZkPath child) {
    return s.getChildren(path, Optional.empty())
        .thenCompose(
            children -> {
              if (children.contains(child.name()) || left(children) == 0) {
                return CompletableFuture.completedFuture((Void) null);
              }
              return s.create(child, new byte[0], CreateMode.PERSISTENT)
                  .handle(
                      (created, error) -> {
                        if (error == null || Futures.is(error, Code.NODEEXISTS)) {
                          return CompletableFuture.completedFuture((Void) null);
                        }
                        return CompletableFuture.<Void>failedFuture(Futures.unwrap(error));
                      })
                  .thenCompose(Function.identity());
            });
  }

  /**
   * Waits until the count is zero (returns at once if it is).
   *
   * @throws BatonTimeoutException if it is not zero after {@code timeout}
   * @throws InterruptedException if interrupted while waiting
   */
  public void await(Duration timeout) throws InterruptedException {
    Futures.await(awaitAsync(timeout));
  }

  /** {@link #await} without blocking a thread. */
  public CompletableFuture<Void> awaitAsync(Duration timeout) {
    Futures.checkTimeout(timeout);
    WatchLoop<Boolean> loop =
        new WatchLoop<>(
            baton,
            Optional.empty(),
            "await countdown latch " + path,
            timeout,
            (s, watcher) ->
                init(s)
                    .thenCompose(v -> s.getChildren(path, Optional.of(watcher)))
                    .thenApply(c -> left(c) == 0 ? Optional.of(true) : Optional.empty()));
    return BarrierMetrics.observe(metrics, "latch", Futures.linked(loop.start(), b -> (Void) null));
  }

  private int left(List<String> children) {
    long done = children.stream().filter(c -> c.startsWith(COUNT_DOWN_PREFIX)).count();
    return (int) Math.max(0, count - done);
  }

  /** Makes sure the latch node exists holding N, and that it holds our N. */
  private CompletableFuture<Void> init(Session s) {
    return s.getData(path, Optional.empty())
        .thenCompose(
            data -> {
              if (data.isPresent()) {
                return CompletableFuture.completedFuture(checkCount(data.get().data()));
              }
              byte[] n = Integer.toString(count).getBytes(StandardCharsets.UTF_8);
              return path.parent()
                  .filter(p -> !p.isRoot())
                  .map(p -> s.ensurePath(p, CreateMode.PERSISTENT))
                  .orElse(CompletableFuture.completedFuture(null))
                  .thenCompose(v -> s.create(path, n, CreateMode.PERSISTENT))
                  .handle(
                      (c, error) -> {
                        if (error == null) {
                          return CompletableFuture.completedFuture((Void) null);
                        }
                        Throwable t = Futures.unwrap(error);
                        if (Futures.is(t, Code.NODEEXISTS)
                            || t instanceof ConnectionLossException) {
                          return s.whenConnected().thenCompose(v -> init(s)); // read who won
                        }
                        return CompletableFuture.<Void>failedFuture(t);
                      })
                  .thenCompose(Function.identity());
            });
  }

  private Void checkCount(byte[] data) {
    String stored = new String(data, StandardCharsets.UTF_8);
    if (!stored.equals(Integer.toString(count))) {
      throw new IllegalStateException(
          "countdown latch " + path + " was created with count '" + stored + "', not " + count);
    }
    return null;
  }

  @Override
  public String toString() {
    return "DistributedCountDownLatch[" + path + ", " + count + "]";
  }
}
