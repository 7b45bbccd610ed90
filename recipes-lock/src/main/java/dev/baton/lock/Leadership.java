package dev.baton.lock;

import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One term of a participant as leader of a {@link LeaderElection}: proof, while it is {@link
 * HoldState#HELD}, that this participant leads. It is a granted {@link LockLease} on the election's
 * lock under another name, so {@link LockLease}'s semantics apply; what differs is said here.
 *
 * <h2>Guarantees</h2>
 *
 * While HELD, no other participant's leadership of the same election is HELD, in any client.
 *
 * <h2>Ownership</h2>
 *
 * Bound to one ZooKeeper session and one lock node, not to a thread: any thread may use it or
 * resign it.
 *
 * <h2>Loss</h2>
 *
 * {@link #state()} turns UNCERTAIN at once when the connection is suspended (stop acting as
 * leader), back to HELD only if the same session returns with our node, LOST for good when the
 * session expires or is replaced or our node is deleted; {@link #lost()} completes then. A lost
 * leadership never becomes HELD again: if the election is still started it contends again, and a
 * later win is a new {@code Leadership} with a larger token.
 *
 * <h2>Reentrancy</h2>
 *
 * None: one leadership per term; {@link #resign()} ends it.
 *
 * <h2>Fencing</h2>
 *
 * {@link #fencingToken()}: see {@link DistributedLock}. Use {@link #guardedWrite()} for writes to
 * ZooKeeper that must not happen after the term ended.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe; {@link #resign()} is idempotent.
 */
public final class Leadership implements AutoCloseable {

  private final LeaderElection election;
  private final LockLease lease;

  /** The last state told to listeners; guarded by the election's lock. */
  HoldState told = HoldState.HELD;

  Leadership(LeaderElection election, LockLease lease) {
    this.election = election;
    this.lease = lease;
  }

  /** The election this is a term of. */
  public LeaderElection election() {
    return election;
  }

  /** The participant that leads. */
  public String participantId() {
    return election.participantId();
  }

  /**
   * Strictly increasing across the leaderships of this election, including later terms of the same
   * participant (the lock node's czxid).
   */
  public long fencingToken() {
    return lease.fencingToken();
  }

  /** The session the leadership is bound to. */
  public long sessionId() {
    return lease.sessionId();
  }

  /** HELD, UNCERTAIN, LOST, or RELEASED once resigned. */
  public HoldState state() {
    return lease.state();
  }

  /** Why the leadership was lost, once it is. */
  public Optional<LossReason> lossReason() {
    return lease.lossReason();
  }

  /** Completes with the reason when the leadership is lost; never if it is resigned first. */
  public CompletionStage<LossReason> lost() {
    return lease.lost();
  }

  /**
   * A ZooKeeper write that commits only while this leadership's node exists, in one multi-op (see
   * {@link GuardedWrite}).
   */
  public GuardedWrite guardedWrite() {
    return lease.guardedWrite();
  }

  /**
   * Gives the leadership up: the state becomes RELEASED at once, listeners are told {@link
   * LeadershipEvent.Resigned}, and our node is deleted, after which the next participant is
   * elected. A started election then contends again (at the back of the line); call {@link
   * LeaderElection#close()} instead to leave the election. Idempotent.
   *
   * @return completes when our node is gone (or our session is over)
   */
  public CompletableFuture<Void> resign() {
    return lease.release();
  }

  /** {@link #resign()} without waiting for the delete. */
  @Override
  public void close() {
    resign();
  }

  LockLease lease() {
    return lease;
  }

  @Override
  public String toString() {
    return "Leadership["
        + election.path()
        + ", '"
        + participantId()
        + "', token "
        + fencingToken()
        + ", "
        + state()
        + "]";
  }
}
