package dev.baton.queue;

import dev.baton.core.AclProvider;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.HoldLostException;
import dev.baton.core.LossReason;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZooKeeperOperationException;
import dev.baton.core.internal.Futures;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;

/**
 * An item node this consumer has claimed, and the settling of its items (ack, dead-letter,
 * release).
 *
 * <h2>Concurrency</h2>
 *
 * Settlements are chained one after another ({@code tail}), so the writes to one node never race
 * each other; the chain is extended under {@code lock}, the writes run outside it. Thread-safe.
 *
 * <h2>Failure</h2>
 *
 * Every write is a multi-op that also requires our claim node (ack = delete claim and item; a
 * partial ack of a batch = check claim and record the item in the node's ack bits; a dead letter =
 * the same plus creating the dead-letter node). The multi runs in the claim's session, so once that
 * session is over it cannot apply: the item is then delivered again elsewhere, and the caller gets
 * {@link HoldLostException}. A lost reply is resolved by reading back whether the write applied.
 *
 * <h2>Invariants</h2>
 *
 * An acked item is recorded on the server (node deleted, or its bit set) in the same transaction
 * that checks our claim, so it is never delivered again; an item not acked stays in the node and is
 * delivered again after the claim goes.
 */
final class ClaimedNode {

  enum Outcome {
    ACK,
    DEAD,
    RELEASE
  }

  private final Session session;
  private final QueuePaths paths;
  private final String name;
  private final int count;
  private final AclProvider acls;
  private final Runnable onDone;
  private final ReentrantLock lock = new ReentrantLock();

  // guarded by lock
  private final boolean[] settled;
  private int unsettled;
  private boolean anyReleased;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  // touched only by the chain, one step at a time
  private BitSet acked;
  private int ackVersion;

  ClaimedNode(
      Session session,
      QueuePaths paths,
      String name,
      int count,
      BitSet acked,
      int ackVersion,
      AclProvider acls,
      Runnable onDone) {
    this.session = session;
    this.paths = paths;
    this.name = name;
    this.count = count;
    this.acked = (BitSet) acked.clone();
    this.ackVersion = ackVersion;
    this.acls = acls;
    this.onDone = onDone;
    this.settled = new boolean[count];
    for (int i = acked.nextSetBit(0); i >= 0 && i < count; i = acked.nextSetBit(i + 1)) {
      settled[i] = true;
    }
    this.unsettled = count - acked.cardinality();
    if (unsettled == 0) {
      // Every item was acked but the node was left behind (a crash between the last ack and its
      // clean-up cannot happen, since that is one multi; this is a defensive finish).
      tail = tail.thenCompose(v -> finish(null));
    }
  }

  Session session() {
    return session;
  }

  String name() {
    return name;
  }

  int count() {
    return count;
  }

  /** Whether the claim can still be settled (its session lives). */
  boolean isLive() {
    return session.isAlive();
  }

  /**
   * Settles item {@code index}; {@code dead} is the dead-letter node's data for {@link
   * Outcome#DEAD}.
   *
   * @throws IllegalStateException if the item was settled already
   */
  CompletableFuture<Void> settle(int index, Outcome outcome, byte[] dead) {
    CompletableFuture<Void> step;
    lock.lock();
    try {
      if (settled[index]) {
        throw new IllegalStateException(
            "item " + name + "#" + index + " of " + paths.root() + " was already settled");
      }
      settled[index] = true;
      unsettled--;
      anyReleased |= outcome == Outcome.RELEASE;
      boolean last = unsettled == 0;
      boolean released = anyReleased;
      step =
          tail.handle((v, e) -> null).thenCompose(v -> apply(index, outcome, dead, last, released));
      tail = step;
    } finally {
      lock.unlock();
    }
    return step;
  }

  private CompletableFuture<Void> apply(
      int index, Outcome outcome, byte[] dead, boolean last, boolean anyReleased) {
    if (outcome == Outcome.RELEASE) {
      return last ? giveBack() : CompletableFuture.completedFuture(null);
    }
    if (last && !anyReleased) {
      return finish(dead);
    }
    return recordAck(index, dead).thenCompose(v -> last ? giveBack() : done());
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  /** The last item settled, none released: delete claim, item and ack bits in one multi. */
  private CompletableFuture<Void> finish(byte[] dead) {
    List<Op> ops = new ArrayList<>();
    addDead(ops, dead);
    ops.add(Op.delete(session.serverPath(paths.claim(name)), -1));
    ops.add(Op.delete(session.serverPath(paths.item(name)), -1));
    if (ackVersion >= 0) {
      ops.add(Op.delete(session.serverPath(paths.ack(name)), ackVersion));
    }
    return write(
            ops,
            () -> session.exists(paths.item(name), Optional.empty()).thenApply(Optional::isEmpty))
        .whenComplete((v, e) -> onDone.run());
  }

  /** One item of a batch settled: record it in the node's ack bits, checking our claim. */
  private CompletableFuture<Void> recordAck(int index, byte[] dead) {
    BitSet next = (BitSet) acked.clone();
    next.set(index);
    byte[] bits = next.toByteArray();
    List<Op> ops = new ArrayList<>();
    addDead(ops, dead);
    ops.add(Op.check(session.serverPath(paths.claim(name)), -1));
    String ackPath = session.serverPath(paths.ack(name));
    ops.add(
        ackVersion >= 0
            ? Op.setData(ackPath, bits, ackVersion)
            : Op.create(ackPath, bits, acls.aclFor(paths.ack(name)), CreateMode.PERSISTENT));
    return write(
            ops,
            () ->
                session
                    .getData(paths.ack(name), Optional.empty())
                    .thenApply(d -> d.isPresent() && BitSet.valueOf(d.get().data()).get(index)))
        .thenRun(
            () -> {
              // Only the claim holder writes the ack bits, so each write adds exactly one version.
              acked = next;
              ackVersion = ackVersion >= 0 ? ackVersion + 1 : 0;
            });
  }

  /** Some item was released: drop the claim, so the node is delivered again (acked bits stay). */
  private CompletableFuture<Void> giveBack() {
    return session.deleteIfOwned(paths.claim(name)).whenComplete((v, e) -> onDone.run());
  }

  private void addDead(List<Op> ops, byte[] dead) {
    if (dead != null) {
      ops.add(
          Op.create(
              session.serverPath(paths.dead().child("d-")),
              dead,
              acls.aclFor(paths.dead().child("d-")),
              CreateMode.PERSISTENT_SEQUENTIAL));
    }
  }

  /**
   * Runs the multi; after a lost reply, waits for the connection and asks {@code applied} whether
   * it took effect, trying again if not.
   */
  private CompletableFuture<Void> write(
      List<Op> ops, Supplier<CompletableFuture<Boolean>> applied) {
    return session
        .multi(ops)
        .<Void>thenApply(r -> null)
        .exceptionallyCompose(
            e ->
                Futures.unwrap(e) instanceof ConnectionLossException
                    ? resolve(ops, applied)
                    : CompletableFuture.failedFuture(lost(Futures.unwrap(e))));
  }

  /**
   * The multi's reply was lost: once the same session is connected again, ask whether it applied
   * and write again if not. Waits as long as the session lives (the claim lives exactly as long).
   */
  private CompletableFuture<Void> resolve(
      List<Op> ops, Supplier<CompletableFuture<Boolean>> applied) {
    return session
        .whenConnected()
        .thenCompose(v -> applied.get())
        .thenCompose(yes -> yes ? done() : write(ops, applied))
        .exceptionallyCompose(
            e ->
                Futures.unwrap(e) instanceof ConnectionLossException
                    ? resolve(ops, applied)
                    : CompletableFuture.failedFuture(lostWhileUnknown(Futures.unwrap(e))));
  }

  /**
   * The session ended before we could learn whether a write whose reply was lost applied: the claim
   * is gone either way, but the item may have been acked.
   */
  private Throwable lostWhileUnknown(Throwable t) {
    if (t instanceof SessionLostException) {
      return new HoldLostException(
          paths.claim(name),
          LossReason.SESSION_EXPIRED,
          "the claim's session ended while the outcome of this settle was unknown: it may have"
              + " applied; if not, the item will be delivered again");
    }
    return lost(t);
  }

  private Throwable lost(Throwable t) {
    if (t instanceof HoldLostException) {
      return t;
    }
    if (t instanceof SessionLostException) {
      return new HoldLostException(
          paths.claim(name),
          LossReason.SESSION_EXPIRED,
          "the claim's session ended; the item will be delivered again");
    }
    if (t instanceof ZooKeeperOperationException z
        && (z.code() == KeeperException.Code.NONODE
            || z.code() == KeeperException.Code.BADVERSION)) {
      return new HoldLostException(
          paths.claim(name),
          LossReason.NODE_DELETED,
          "the claim or item node changed under us (" + z.code() + "); nothing was recorded");
    }
    return t;
  }
}
