package dev.baton.lock;

import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.ZkPath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A granted {@link MultiLock}: one {@link LockLease} per path, all held together.
 *
 * <h2>Guarantees</h2>
 *
 * While {@link #state()} is HELD, every one of its leases is HELD, with the guarantees of {@link
 * LockLease}. See {@link MultiLock} for how they were taken.
 *
 * <h2>Ownership</h2>
 *
 * All leases belong to one ZooKeeper session, none to a thread: any thread may use or close it.
 *
 * <h2>Loss</h2>
 *
 * The combined {@link #state()} is LOST as soon as any lease is lost, UNCERTAIN while any is
 * uncertain, RELEASED once released. {@link #lost()} completes when the first lease is lost; the
 * others may still be held then, so stop acting on all of them and {@link #release()}. Nothing is
 * re-acquired behind your back.
 *
 * <h2>Reentrancy</h2>
 *
 * None on the whole; {@link LockLease#reenter()} works on the individual {@link #leases()}.
 * Releasing one of them yourself gives that lock up, and this lease then reports RELEASED.
 *
 * <h2>Fencing</h2>
 *
 * {@link #fencingTokens()}: one token per lock, each as in {@link DistributedLock}. {@link
 * #guardedWrite()} checks every lock node in the same multi-op as the writes.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe: the leases are an immutable list; release is claimed once by CAS.
 */
public final class MultiLease implements AutoCloseable {

  private final List<LockLease> leases;
  private final CompletableFuture<LossReason> lost = new CompletableFuture<>();
  private final AtomicReference<CompletableFuture<Void>> released = new AtomicReference<>();

  MultiLease(List<LockLease> leases) {
    this.leases = List.copyOf(leases);
    this.leases.forEach(l -> l.lost().thenAccept(lost::complete));
  }

  /** The leases, in acquisition order (sorted by path). */
  public List<LockLease> leases() {
    return leases;
  }

  /** Each lock's path with its fencing token, in acquisition order. */
  public Map<ZkPath, Long> fencingTokens() {
    Map<ZkPath, Long> tokens = new LinkedHashMap<>();
    leases.forEach(l -> tokens.put(l.lock().path(), l.fencingToken()));
    return Collections.unmodifiableMap(tokens);
  }

  /**
   * LOST if any lease is lost, else UNCERTAIN if any is uncertain, else RELEASED once released
   * (also when one lease was released on its own), else HELD.
   */
  public HoldState state() {
    boolean uncertain = false;
    boolean releasedAny = released.get() != null;
    for (LockLease l : leases) {
      switch (l.state()) {
        case LOST -> {
          return HoldState.LOST;
        }
        case UNCERTAIN -> uncertain = true;
        case RELEASED -> releasedAny = true;
        case HELD -> {}
      }
    }
    if (uncertain) {
      return HoldState.UNCERTAIN;
    }
    return releasedAny ? HoldState.RELEASED : HoldState.HELD;
  }

  /**
   * Completes with the reason when any lease is lost; never if all are released first. Dependent
   * actions run on the thread that detected the loss unless an async variant is used.
   */
  public CompletionStage<LossReason> lost() {
    return lost.minimalCompletionStage();
  }

  /**
   * Writes to ZooKeeper that commit only if every lock node still exists, all in one multi-op;
   * {@link GuardedWrite#commit()} throws {@link dev.baton.core.HoldLostException} naming the lost
   * lock's node otherwise.
   */
  public GuardedWrite guardedWrite() {
    return new GuardedWrite(
        leases.stream().map(LockLease::hold).toList(), leases.get(0).lock().baton().aclProvider());
  }

  /**
   * Releases every lock, newest first: all leases become RELEASED at once and their deletes are
   * sent in reverse acquisition order. Idempotent.
   *
   * @return completes when every node is gone (or its session is over)
   */
  public CompletableFuture<Void> release() {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    if (!released.compareAndSet(null, mine)) {
      return released.get().copy();
    }
    releaseInReverse(leases).whenComplete((v, e) -> mine.complete(null));
    return mine.copy();
  }

  /** {@link #release()} without waiting for the deletes. */
  @Override
  public void close() {
    release();
  }

  /** Releases {@code leases} newest first; completes when all deletes are done. Never fails. */
  static CompletableFuture<Void> releaseInReverse(List<LockLease> leases) {
    List<CompletableFuture<Void>> deletes = new ArrayList<>(leases.size());
    for (int i = leases.size() - 1; i >= 0; i--) {
      deletes.add(leases.get(i).release());
    }
    return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new))
        .exceptionally(e -> null);
  }

  @Override
  public String toString() {
    return "MultiLease" + fencingTokens() + "[" + state() + "]";
  }
}
