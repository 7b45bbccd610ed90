package dev.baton.core;

import dev.baton.core.HoldTransitions.Signal;
import dev.baton.core.internal.SerialExecutor;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Something a client holds through an ephemeral node of one ZooKeeper session: a lock lease, a
 * semaphore permit, leadership, a queue claim, a barrier membership. Every recipe that holds
 * something builds on this class, so they all report loss the same way.
 *
 * <h2>Guarantees</h2>
 *
 * A hold starts {@link HoldState#HELD}: it is made by {@link Session#hold} only after the server
 * showed the node owned by the session. It becomes {@link HoldState#UNCERTAIN} as soon as the
 * connection is suspended (long before the session timeout would let another client in), returns to
 * HELD only when the same session is connected again and the server still shows the node as ours,
 * and becomes {@link HoldState#LOST} when the session expires, a new session replaces it, the node
 * is deleted, or the client closes. LOST and {@link HoldState#RELEASED} are final.
 *
 * <h2>Ownership</h2>
 *
 * Proven by the server, not remembered: "ours" means the node's {@code ephemeralOwner} is this
 * hold's session id.
 *
 * <h2>Loss</h2>
 *
 * Pushed, not polled: {@link #lost()} completes with the {@link LossReason}, and {@link
 * #addListener listeners} see every change. A lost hold is never re-acquired behind the owner's
 * back: after a new session, the old hold stays LOST.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe; not bound to a thread. State changes are ordered under a small internal lock;
 * listeners run afterwards on their executors, in order per listener, never under that lock.
 */
public final class Hold implements AutoCloseable {

  private final Session session;
  private final ZkPath path;
  private final long czxid;
  private final Executor defaultExecutor;
  private final ErrorHandler errors;
  private final ReentrantLock transitionLock = new ReentrantLock();
  private final List<Registration> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<LossReason> lost = new CompletableFuture<>();
  private final CompletableFuture<Void> released = new CompletableFuture<>();
  private volatile HoldState state = HoldState.HELD;
  private volatile LossReason lossReason;
  private HoldEvent finalEvent; // guarded by transitionLock

  Hold(Session session, ZkPath path, long czxid, Executor defaultExecutor, ErrorHandler errors) {
    this.session = session;
    this.path = path;
    this.czxid = czxid;
    this.defaultExecutor = defaultExecutor;
    this.errors = errors;
  }

  /** The node behind the hold, relative to the client's namespace. */
  public ZkPath path() {
    return path;
  }

  /** The session the hold belongs to. */
  public Session session() {
    return session;
  }

  /**
   * The node's creation zxid: unique per node, and larger for every later node in the ensemble, so
   * it can serve as a fencing token.
   */
  public long czxid() {
    return czxid;
  }

  /** The current state (a volatile read). */
  public HoldState state() {
    return state;
  }

  /** Why the hold was lost, once it is. */
  public Optional<LossReason> lossReason() {
    return Optional.ofNullable(lossReason);
  }

  /**
   * Completes with the reason when the hold is lost. Never completes if the hold is released first.
   * Dependent actions run on the thread that detected the loss unless an async variant is used:
   * keep them short.
   */
  public CompletionStage<LossReason> lost() {
    return lost.minimalCompletionStage();
  }

  /** Adds a listener delivered on the client's listener executor. */
  public void addListener(HoldListener listener) {
    addListener(listener, defaultExecutor);
  }

  /**
   * Adds a listener delivered on {@code executor}, in order. A listener added after the hold ended
   * (LOST or RELEASED) is told of that final change at once, so that adding a listener right after
   * an acquire can never miss a loss that came in between.
   */
  public void addListener(HoldListener listener, Executor executor) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(executor, "executor");
    SerialExecutor serial =
        new SerialExecutor(executor, t -> errors.handle("listener of hold " + path, t));
    transitionLock.lock();
    try {
      HoldEvent last = finalEvent;
      if (last != null) {
        serial.enqueue(() -> listener.stateChanged(last));
      } else {
        listeners.add(new Registration(listener, serial));
      }
    } finally {
      transitionLock.unlock();
    }
    serial.drain();
  }

  /**
   * Throws unless the hold is HELD or UNCERTAIN.
   *
   * @throws HoldLostException if it is LOST
   * @throws IllegalStateException if it was released
   */
  public void checkNotLost() {
    HoldState s = state;
    if (s == HoldState.LOST) {
      throw new HoldLostException(path, lossReason, "session 0x" + Long.toHexString(session.id()));
    }
    if (s == HoldState.RELEASED) {
      throw new IllegalStateException("hold on " + path + " was released");
    }
  }

  /**
   * Gives the hold up: the state becomes RELEASED at once (no loss is reported), and the node is
   * deleted in the hold's own session, retrying across connection loss until the delete succeeds or
   * the session ends (an ended session has deleted the node itself). Idempotent.
   *
   * @return completes when the node is gone or the session is over
   */
  public CompletableFuture<Void> release() {
    if (signal(Signal.RELEASED, null)) {
      session.deleteIfOwned(path).whenComplete((v, t) -> released.complete(null));
    } else if (state == HoldState.LOST) {
      released.complete(null);
    }
    return released.copy();
  }

  /** Same as {@link #release()} without waiting for the delete. */
  @Override
  public void close() {
    release();
  }

  /**
   * Applies a signal; returns whether the state changed. Listeners are told after the lock is
   * released.
   */
  boolean signal(Signal signal, LossReason reason) {
    HoldEvent event;
    transitionLock.lock();
    try {
      HoldState from = state;
      Optional<HoldState> to = HoldTransitions.next(from, signal);
      if (to.isEmpty()) {
        return false;
      }
      state = to.get();
      if (to.get() == HoldState.LOST) {
        lossReason = reason;
      }
      event =
          new HoldEvent(
              path,
              session.id(),
              from,
              to.get(),
              Optional.ofNullable(to.get() == HoldState.LOST ? reason : null));
      for (Registration r : listeners) {
        r.executor().enqueue(() -> r.listener().stateChanged(event));
      }
      if (event.to().isTerminal()) {
        finalEvent = event;
      }
    } finally {
      transitionLock.unlock();
    }
    if (event.to().isTerminal()) {
      session.forget(this);
    }
    listeners.forEach(r -> r.executor().drain());
    if (event.to() == HoldState.LOST) {
      lost.complete(reason);
    }
    return true;
  }

  private record Registration(HoldListener listener, SerialExecutor executor) {}

  @Override
  public String toString() {
    return "Hold[" + path + ", session 0x" + Long.toHexString(session.id()) + ", " + state + "]";
  }
}
