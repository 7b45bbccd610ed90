package dev.baton.lock;

import dev.baton.core.Hold;
import dev.baton.core.HoldListener;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.ZkPath;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A granted {@link DistributedLock}: proof, while it is {@link HoldState#HELD}, that this client
 * holds the lock.
 *
 * <h2>Guarantees</h2>
 *
 * While HELD, no other lease of the same lock is HELD (by any client): the servers show our node as
 * the lowest contender and as owned by our live session. See {@link DistributedLock} for the rest.
 *
 * <h2>Ownership</h2>
 *
 * Bound to one ZooKeeper session, not to a thread: any thread may use or close it.
 *
 * <h2>Loss</h2>
 *
 * {@link #state()} turns UNCERTAIN the moment the connection is suspended (stop acting on the lock:
 * another client may be granted it once our session expires), back to HELD if the same session
 * returns with our node, and LOST for good when the session expires, is replaced, or our node is
 * deleted. {@link #lost()} completes then, listeners are told. A lost lease is never re-acquired
 * behind your back; acquire again.
 *
 * <h2>Reentrancy</h2>
 *
 * Explicit: {@link #reenter()} returns another lease on the same grant; the lock is released when
 * the last of them is closed. {@link DistributedLock#acquire} itself is not reentrant (a second
 * acquire from the same client waits for the first lease like any other contender).
 *
 * <h2>Fencing</h2>
 *
 * {@link #fencingToken()} is the lock node's creation zxid: it grows with every grant of this lock,
 * also when the lock's parent node is deleted and recreated. Pass it to downstream systems so they
 * refuse writes from an older holder; use {@link #guardedWrite()} for writes to ZooKeeper itself.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe. {@link #close()} is idempotent per lease object.
 */
public final class LockLease implements AutoCloseable {

  private final DistributedLock lock;
  private final Hold hold;
  private final AtomicInteger open;
  private final AtomicBoolean closed = new AtomicBoolean();

  LockLease(DistributedLock lock, Hold hold) {
    this(lock, hold, new AtomicInteger(1));
  }

  private LockLease(DistributedLock lock, Hold hold, AtomicInteger open) {
    this.lock = lock;
    this.hold = hold;
    this.open = open;
  }

  Hold hold() {
    return hold;
  }

  /** The lock this lease is of. */
  public DistributedLock lock() {
    return lock;
  }

  /** Strictly increasing across grants of this lock (the node's czxid). */
  public long fencingToken() {
    return hold.czxid();
  }

  /** Our contender node. */
  public ZkPath node() {
    return hold.path();
  }

  /** The session the lease is bound to. */
  public long sessionId() {
    return hold.session().id();
  }

  /** HELD, UNCERTAIN, LOST, or RELEASED once every re-entered lease is closed. */
  public HoldState state() {
    return hold.state();
  }

  /** Why the lease was lost, once it is. */
  public Optional<LossReason> lossReason() {
    return hold.lossReason();
  }

  /** Completes with the reason when the lease is lost; never if it is released first. */
  public CompletionStage<LossReason> lost() {
    return hold.lost();
  }

  /** Adds a state listener run on the client's listener executor, in order. */
  public void addListener(HoldListener listener) {
    hold.addListener(listener);
  }

  /** Adds a state listener run on {@code executor}, in order. */
  public void addListener(HoldListener listener, Executor executor) {
    hold.addListener(listener, executor);
  }

  /**
   * A write to ZooKeeper that commits only if this lease's node still exists, all in one multi-op.
   */
  public GuardedWrite guardedWrite() {
    return new GuardedWrite(hold, lock.baton().aclProvider());
  }

  /**
   * Another lease on the same grant (explicit reentrancy); the node is deleted when the last open
   * lease is closed.
   *
   * @throws IllegalStateException if this lease is closed or no longer held
   */
  public LockLease reenter() {
    if (closed.get()) {
      throw new IllegalStateException("lease on " + node() + " is closed: cannot re-enter it");
    }
    hold.checkNotLost();
    open.incrementAndGet();
    return new LockLease(lock, hold, open);
  }

  /**
   * Closes this lease; when it was the last open one, releases the lock: the state becomes RELEASED
   * and our node is deleted, also across a connection loss (the delete waits for the same session
   * to reconnect, or the session's end deletes it). Idempotent.
   *
   * @return completes when the node is gone (or, for a re-entered lease still open elsewhere, at
   *     once)
   */
  public CompletableFuture<Void> release() {
    if (!closed.compareAndSet(false, true) || open.decrementAndGet() > 0) {
      return CompletableFuture.completedFuture(null);
    }
    return hold.release();
  }

  /** {@link #release()} without waiting for the delete. */
  @Override
  public void close() {
    release();
  }

  @Override
  public String toString() {
    return "LockLease[" + node() + ", token " + fencingToken() + ", " + state() + "]";
  }
}
