package dev.baton.lock;

import dev.baton.core.AclProvider;
import dev.baton.core.Hold;
import dev.baton.core.HoldListener;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.ZkPath;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One permit of a {@link DistributedSemaphore}, held through an ephemeral lease node of one
 * session.
 *
 * <h2>Guarantees, Ownership, Loss, Fencing</h2>
 *
 * As for a {@link LockLease}: bound to a session, not a thread; UNCERTAIN at once on suspension,
 * LOST for good on expiry, replacement or deletion of the lease node (the permit then counts as
 * free again for the others); {@link #fencingToken()} is the lease node's czxid.
 *
 * <h2>Reentrancy</h2>
 *
 * None: each acquire takes another permit.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe; {@link #close()} is idempotent.
 */
public final class PermitLease implements AutoCloseable {

  private final Hold hold;
  private final AclProvider acls;
  private final AtomicBoolean closed = new AtomicBoolean();

  PermitLease(Hold hold, AclProvider acls) {
    this.hold = hold;
    this.acls = acls;
  }

  /** The lease node's czxid. */
  public long fencingToken() {
    return hold.czxid();
  }

  /** The lease node. */
  public ZkPath node() {
    return hold.path();
  }

  /** The session the permit is bound to. */
  public long sessionId() {
    return hold.session().id();
  }

  /** HELD, UNCERTAIN, LOST, or RELEASED. */
  public HoldState state() {
    return hold.state();
  }

  /** Why the permit was lost, once it is. */
  public Optional<LossReason> lossReason() {
    return hold.lossReason();
  }

  /** Completes with the reason when the permit is lost; never if it is released first. */
  public CompletionStage<LossReason> lost() {
    return hold.lost();
  }

  /** Adds a state listener run on the client's listener executor, in order. */
  public void addListener(HoldListener listener) {
    hold.addListener(listener);
  }

  /** ZooKeeper writes that commit only while the lease node exists. */
  public GuardedWrite guardedWrite() {
    return new GuardedWrite(hold, acls);
  }

  /** Gives the permit back (the lease node is deleted, also across a connection loss). */
  public CompletableFuture<Void> release() {
    if (!closed.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    return hold.release();
  }

  @Override
  public void close() {
    release();
  }

  @Override
  public String toString() {
    return "PermitLease[" + node() + ", token " + fencingToken() + ", " + state() + "]";
  }
}
