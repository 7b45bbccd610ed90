package dev.baton.barrier;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * A barrier: while its node exists, {@link #await} blocks; removing the node releases every waiter.
 *
 * <pre>{@code
 * Barrier gate = Barrier.create(baton, "/gates/deploy");
 * gate.set();                                  // coordinator closes the gate
 * gate.await(Duration.ofMinutes(1));           // workers wait (returns at once if not set)
 * gate.remove();                               // coordinator opens it: every waiter passes
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * {@link #await} returns only after a read on the servers showed the node absent. The node is
 * persistent: it outlives the session that set it, and only {@link #remove} (by any client) opens
 * the barrier. {@link #set} and {@link #remove} are idempotent, so they are retried across
 * connection loss and across sessions until they succeed or the client's connection timeout runs
 * out.
 *
 * <h2>Ownership</h2>
 *
 * None: any client may set or remove. Nothing is held, so there is no loss.
 *
 * <h2>Loss</h2>
 *
 * A waiter whose session ends waits on in the next session; connection and session events never
 * release it (only a read that shows the node absent does).
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe and stateless between calls; waits park no thread in their async form.
 */
public final class Barrier {

  private final Baton baton;
  private final ZkPath path;
  private final BarrierMetrics metrics;

  private Barrier(Baton baton, ZkPath path) {
    this.baton = Objects.requireNonNull(baton, "baton");
    this.path = path;
    this.metrics = BarrierMetrics.of(baton, path);
  }

  /**
   * A barrier at {@code path}; nothing is written until {@link #set}.
   *
   * @throws IllegalArgumentException if the path is invalid or the root
   */
  public static Barrier create(Baton baton, String path) {
    return create(baton, ZkPath.of(path));
  }

  /** A barrier at {@code path}. */
  public static Barrier create(Baton baton, ZkPath path) {
    return new Barrier(baton, checkPath(path, "a barrier"));
  }

  static ZkPath checkPath(ZkPath path, String what) {
    Objects.requireNonNull(path, "path");
    if (path.isRoot()) {
      throw new IllegalArgumentException(what + " cannot live at the root path '/'");
    }
    return path;
  }

  /** The barrier's path. */
  public ZkPath path() {
    return path;
  }

  /**
   * Sets the barrier (creates its node and missing parents); does nothing if it is set.
   *
   * @throws InterruptedException if interrupted while waiting for the servers
   */
  public void set() throws InterruptedException {
    Futures.await(setAsync());
  }

  /** {@link #set()} without blocking. */
  public CompletableFuture<Void> setAsync() {
    return Idempotent.run(
        baton, new CompletableFuture<>(), s -> s.ensurePath(path, CreateMode.PERSISTENT));
  }

  /**
   * Removes the barrier, releasing every waiter; does nothing if it is not set.
   *
   * @throws InterruptedException if interrupted while waiting for the servers
   */
  public void remove() throws InterruptedException {
    Futures.await(removeAsync());
  }

  /** {@link #remove()} without blocking. */
  public CompletableFuture<Void> removeAsync() {
    return Idempotent.run(
        baton,
        new CompletableFuture<>(),
        s ->
            s.delete(path, -1)
                .exceptionally(
                    e -> {
                      if (Futures.is(e, KeeperException.Code.NONODE)) {
                        return null; // not set, or our first delete went through
                      }
                      throw Futures.wrap(e);
                    }));
  }

  /**
   * Whether the barrier is set, as the servers show it now.
   *
   * @throws InterruptedException if interrupted while asking
   */
  public boolean isSet() throws InterruptedException {
    return Futures.await(
            Idempotent.run(baton, new CompletableFuture<>(), s -> s.exists(path, Optional.empty())))
        .isPresent();
  }

  /**
   * Waits until the barrier is not set (returns at once if it is not).
   *
   * @throws BatonTimeoutException if it is still set after {@code timeout}
   * @throws InterruptedException if interrupted while waiting
   */
  public void await(Duration timeout) throws InterruptedException {
    Futures.await(awaitAsync(timeout));
  }

  /**
   * {@link #await} without blocking a thread: the future completes when a read shows the node
   * absent and fails with {@link BatonTimeoutException} after {@code timeout}.
   *
   * @throws IllegalArgumentException if the timeout is null or negative
   */
  public CompletableFuture<Void> awaitAsync(Duration timeout) {
    Futures.checkTimeout(timeout);
    WatchLoop<Boolean> loop =
        new WatchLoop<>(
            baton,
            Optional.empty(),
            "await barrier " + path,
            timeout,
            (s, watcher) ->
                s.exists(path, Optional.of(watcher))
                    .thenApply(stat -> stat.isPresent() ? Optional.empty() : Optional.of(true)));
    return BarrierMetrics.observe(
        metrics, "barrier", Futures.linked(loop.start(), b -> (Void) null));
  }

  @Override
  public String toString() {
    return "Barrier[" + path + "]";
  }
}
