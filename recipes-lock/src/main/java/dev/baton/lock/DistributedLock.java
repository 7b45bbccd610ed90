package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.Hold;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.data.Stat;

/**
 * A fenced, loss-aware mutex on ZooKeeper.
 *
 * <pre>{@code
 * DistributedLock lock = DistributedLock.create(baton, "/locks/billing");
 * try (LockLease lease = lock.acquire(Duration.ofSeconds(5))) {
 *   invoices.write(batch, lease.fencingToken());
 *   lease.guardedWrite().setData(ZkPath.of("/billing/cursor"), next).commit();
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * At most one {@link LockLease} of a lock is {@link dev.baton.core.HoldState#HELD HELD} at a time,
 * across all clients. Each contender creates one ephemeral-sequential node under the lock's path
 * and watches only the node just before it, so a release wakes exactly one waiter (no herd, also
 * among waiters in one JVM). Grants are FIFO by sequence. A timed-out, interrupted or cancelled
 * acquire removes its node: nothing is left behind, also when a create's reply was lost (the
 * attempt id in the node name finds it again).
 *
 * <h2>Ownership</h2>
 *
 * Decided by the servers: a node grants the lock only if its {@code ephemeralOwner} is our current
 * session; a node of our previous, dying session never does. Leases are not bound to threads.
 *
 * <h2>Loss</h2>
 *
 * See {@link LockLease}: UNCERTAIN at once on suspension, LOST on expiry, replacement or deletion
 * of our node; never silently re-acquired in a new session. Before the grant, a session that ends
 * is replaced transparently: the acquire starts over in the next session within its timeout.
 *
 * <h2>Reentrancy</h2>
 *
 * Not reentrant by acquire; explicit by {@link LockLease#reenter()}.
 *
 * <h2>Fencing</h2>
 *
 * {@link LockLease#fencingToken()} is the lock node's czxid, strictly increasing across grants of
 * this lock, also across deletion and re-creation of the lock's parent (sequence numbers restart
 * then; zxids do not).
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe and stateless between calls; any number of acquisitions may run at once. The async
 * form parks no thread while it waits.
 *
 * <h2>Metrics</h2>
 *
 * With a Micrometer registry on the client: {@code baton.lock.acquire} (timer by outcome), {@code
 * baton.lock.held} (timer) and {@code baton.lock.lost} (counter by reason), tagged with the path.
 */
public final class DistributedLock {

  private final Baton baton;
  private final ZkPath path;
  private final LockNodes.Kind kind;
  private final LockMetrics metrics;

  private DistributedLock(Baton baton, ZkPath path, LockNodes.Kind kind) {
    this.baton = Objects.requireNonNull(baton, "baton");
    this.path = path;
    this.kind = kind;
    this.metrics = LockMetrics.of(baton, path, kind.name().toLowerCase(Locale.ROOT));
  }

  /**
   * A lock at {@code path} (relative to the client's namespace); nothing is written until the first
   * acquire.
   *
   * @throws IllegalArgumentException if the path is invalid or the root
   */
  public static DistributedLock create(Baton baton, String path) {
    return create(baton, ZkPath.of(path));
  }

  /** A lock at {@code path}. */
  public static DistributedLock create(Baton baton, ZkPath path) {
    return create(baton, path, LockNodes.Kind.EXCLUSIVE);
  }

  /** One side of a read-write lock, or a mutex. */
  static DistributedLock create(Baton baton, ZkPath path, LockNodes.Kind kind) {
    Objects.requireNonNull(path, "path");
    if (path.isRoot()) {
      throw new IllegalArgumentException("a lock cannot live at the root path '/'");
    }
    return new DistributedLock(baton, path, kind);
  }

  /** The lock's path. */
  public ZkPath path() {
    return path;
  }

  Baton baton() {
    return baton;
  }

  /** A lease is about to be handed out. */
  LockLease granted(Hold hold) {
    LockMetrics.watchHold(metrics, hold);
    return new LockLease(this, hold);
  }

  /**
   * Waits up to {@code timeout} for the lock.
   *
   * @throws BatonTimeoutException if it was not granted in time (our node is removed)
   * @throws InterruptedException if interrupted while waiting (our node is removed)
   * @throws dev.baton.core.BatonException for other failures (for example {@link
   *     dev.baton.core.NotAuthorizedException})
   */
  public LockLease acquire(Duration timeout) throws InterruptedException {
    return Futures.await(acquireAsync(timeout));
  }

  /** Like {@link #acquire}, but empty instead of {@link BatonTimeoutException} on timeout. */
  public Optional<LockLease> tryAcquire(Duration timeout) throws InterruptedException {
    return Futures.emptyOnTimeout(() -> acquire(timeout));
  }

  /**
   * Acquires without blocking a thread. The future fails with {@link BatonTimeoutException} after
   * {@code timeout}; cancelling it abandons the attempt and removes our node.
   */
  public CompletableFuture<LockLease> acquireAsync(Duration timeout) {
    checkTimeout(timeout);
    if (baton.isClosed()) {
      throw new IllegalStateException("cannot acquire " + path + ": the Baton client is closed");
    }
    return LockMetrics.observe(
        metrics,
        new Acquisition(this, kind, baton, path, Optional.of(timeout), new byte[0]).start());
  }

  /**
   * For recipes built on this lock (leader election): contends with no deadline, until granted or
   * until the future is cancelled (which removes our node), and creates our contender node with
   * {@code nodeData} so that others can read who it is. Like {@link #acquireAsync}, parks no
   * thread.
   *
   * @throws IllegalStateException if the client is closed
   */
  CompletableFuture<LockLease> contendAsync(byte[] nodeData) {
    if (baton.isClosed()) {
      throw new IllegalStateException(
          "cannot contend for " + path + ": the Baton client is closed");
    }
    return LockMetrics.observe(
        metrics,
        new Acquisition(this, kind, baton, path, Optional.empty(), nodeData.clone()).start());
  }

  /**
   * Who holds the lock and who waits, as the servers show it now.
   *
   * @throws InterruptedException if interrupted while asking
   */
  public LockInfo inspect() throws InterruptedException {
    return Futures.await(inspectAsync());
  }

  /** {@link #inspect()} without blocking. */
  public CompletableFuture<LockInfo> inspectAsync() {
    return baton
        .sessionAsync()
        .thenCompose(
            s ->
                s.getChildren(path, Optional.empty())
                    .exceptionally(Futures::noChildrenIfMissing)
                    .thenCompose(
                        children -> {
                          List<String> ordered = LockNodes.ordered(children);
                          List<CompletableFuture<Optional<LockInfo.Contender>>> stats =
                              new ArrayList<>();
                          for (String name : ordered) {
                            ZkPath node = path.child(name);
                            stats.add(
                                s.exists(node, Optional.empty())
                                    .thenApply(st -> st.map(x -> contender(node, x))));
                          }
                          return CompletableFuture.allOf(stats.toArray(CompletableFuture[]::new))
                              .thenApply(v -> info(ordered, stats));
                        }));
  }

  /** Splits the contenders the servers still show into holders and waiters. */
  private LockInfo info(
      List<String> ordered, List<CompletableFuture<Optional<LockInfo.Contender>>> stats) {
    List<String> alive = new ArrayList<>();
    List<LockInfo.Contender> contenders = new ArrayList<>();
    for (int i = 0; i < ordered.size(); i++) {
      Optional<LockInfo.Contender> c = stats.get(i).join();
      if (c.isPresent()) {
        alive.add(ordered.get(i));
        contenders.add(c.get());
      }
    }
    List<LockInfo.Contender> holders = new ArrayList<>();
    List<LockInfo.Contender> waiters = new ArrayList<>();
    for (int i = 0; i < alive.size(); i++) {
      boolean granted = LockNodes.position(alive, alive.get(i)).orElseThrow().granted();
      (granted ? holders : waiters).add(contenders.get(i));
    }
    return new LockInfo(path, holders, waiters);
  }

  private static LockInfo.Contender contender(ZkPath node, Stat stat) {
    return new LockInfo.Contender(
        node,
        LockNodes.Kind.of(node.name()).orElseThrow().name().toLowerCase(Locale.ROOT),
        stat.getEphemeralOwner(),
        Instant.ofEpochMilli(stat.getCtime()),
        stat.getCzxid());
  }

  static void checkTimeout(Duration timeout) {
    if (timeout == null) {
      throw new IllegalArgumentException("timeout must not be null");
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
  }

  @Override
  public String toString() {
    return "DistributedLock[" + path + "]";
  }
}
