package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.internal.SerialExecutor;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The moving part of a {@link LeaderElection}: contends for the election's lock, turns each grant
 * into a {@link Leadership}, tells the listeners, and contends again when a term ends.
 *
 * <h2>Concurrency</h2>
 *
 * The lifecycle is an enum moved by CAS. {@code stateLock} guards the contention in flight, the
 * current leadership (volatile for cheap reads), each leadership's last told state and the
 * enqueueing of events on the listeners' serial executors, so every listener sees one order;
 * nothing blocks under it, and listeners start only after it is released ({@link #drain}). Hold
 * state changes reach us through a listener on the lease that runs on the signalling thread
 * (ZooKeeper's or Curator's event thread, or a resigning caller): there we only enqueue events and
 * maybe start the next contention, which is asynchronous.
 *
 * <h2>Failure</h2>
 *
 * The contention itself outlives connection losses and sessions ({@link Acquisition}). If it fails
 * otherwise (for example an ACL refuses our node), the failure goes to the client's error handler
 * and the contention is retried after a capped backoff while started. A closed client ends it.
 *
 * <h2>Invariants</h2>
 *
 * At most one of a contention or a leadership at a time. A leadership is made only from a granted
 * lease and ends with it, so a re-election always means a new node and a new, larger czxid.
 */
final class Candidacy {

  private static final long FIRST_RETRY_MILLIS = 200;
  private static final long MAX_RETRY_MILLIS = 10_000;

  private enum Lifecycle {
    CREATED,
    STARTED,
    CLOSED
  }

  private final LeaderElection election;
  private final Baton baton;
  private final DistributedLock lock;
  private final byte[] nodeData;
  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.CREATED);
  private final ReentrantLock stateLock = new ReentrantLock();
  private final List<Registration> listeners = new CopyOnWriteArrayList<>();
  private boolean contending; // guarded by stateLock
  private CompletableFuture<LockLease> pending; // guarded by stateLock
  private int failures; // guarded by stateLock
  private volatile Leadership current; // written under stateLock

  Candidacy(LeaderElection election, Baton baton, DistributedLock lock, byte[] nodeData) {
    this.election = election;
    this.baton = baton;
    this.lock = lock;
    this.nodeData = nodeData;
  }

  void start() {
    if (!lifecycle.compareAndSet(Lifecycle.CREATED, Lifecycle.STARTED)) {
      throw new IllegalStateException(
          "cannot start election "
              + election.path()
              + " for '"
              + election.participantId()
              + "': it is "
              + lifecycle.get().name().toLowerCase(Locale.ROOT));
    }
    contend();
  }

  /** The leadership while HELD or UNCERTAIN. */
  Optional<Leadership> current() {
    return Optional.ofNullable(current).filter(l -> !l.state().isTerminal());
  }

  void addListener(LeadershipListener listener, Executor executor) {
    Registration r =
        new Registration(
            listener,
            new SerialExecutor(
                executor,
                t -> baton.errorHandler().handle("listener of election " + election.path(), t)));
    stateLock.lock();
    try {
      listeners.add(r);
      Leadership l = current;
      if (l != null && !l.told.isTerminal()) {
        r.enqueue(new LeadershipEvent.Elected(l));
        if (l.told == HoldState.UNCERTAIN) {
          r.enqueue(new LeadershipEvent.Uncertain(l));
        }
      }
    } finally {
      stateLock.unlock();
    }
    r.executor().drain();
  }

  void close() {
    if (lifecycle.getAndSet(Lifecycle.CLOSED) == Lifecycle.CLOSED) {
      return;
    }
    CompletableFuture<LockLease> f;
    Leadership l;
    stateLock.lock();
    try {
      f = pending;
      l = current;
    } finally {
      stateLock.unlock();
    }
    if (f != null) {
      f.cancel(false); // the acquisition removes our waiting node
    }
    if (l != null) {
      l.resign();
    }
  }

  private void contend() {
    stateLock.lock();
    try {
      if (lifecycle.get() != Lifecycle.STARTED || contending || current != null) {
        return;
      }
      contending = true;
    } finally {
      stateLock.unlock();
    }
    CompletableFuture<LockLease> f;
    try {
      f = lock.contendAsync(nodeData);
    } catch (RuntimeException e) {
      onContended(null, e); // the client was closed meanwhile
      return;
    }
    boolean closed;
    stateLock.lock();
    try {
      pending = f;
      closed = lifecycle.get() != Lifecycle.STARTED;
    } finally {
      stateLock.unlock();
    }
    if (closed) {
      f.cancel(false); // close() ran before `pending` was set
    }
    f.whenComplete(this::onContended);
  }

  private void onContended(LockLease lease, Throwable error) {
    Leadership elected = null;
    long retryMillis = -1;
    stateLock.lock();
    try {
      contending = false;
      pending = null;
      if (lifecycle.get() == Lifecycle.STARTED && error == null) {
        elected = new Leadership(election, lease);
        current = elected;
        failures = 0;
        publish(new LeadershipEvent.Elected(elected));
      } else if (lifecycle.get() == Lifecycle.STARTED
          && !baton.isClosed()
          && !(Futures.unwrap(error) instanceof CancellationException)) {
        retryMillis = Math.min(FIRST_RETRY_MILLIS << Math.min(failures++, 10), MAX_RETRY_MILLIS);
      }
    } finally {
      stateLock.unlock();
    }
    drain();
    if (elected != null) {
      Leadership l = elected;
      lease.addListener(e -> onHoldState(l, e.to(), e.reason()), Runnable::run);
      onHoldState(l, lease.state(), lease.lossReason()); // a change before the listener was added
    } else if (lease != null) {
      lease.close(); // granted while closing: give it back
    } else if (retryMillis >= 0) {
      baton
          .errorHandler()
          .handle(
              "contending in election "
                  + election.path()
                  + " for '"
                  + election.participantId()
                  + "'",
              Futures.unwrap(error));
      CompletableFuture.delayedExecutor(retryMillis, TimeUnit.MILLISECONDS).execute(this::contend);
    }
  }

  /**
   * Tells listeners of a hold state they were not told yet (the same change may arrive twice, from
   * the listener and from the check after adding it), and contends again when the term ended.
   */
  private void onHoldState(Leadership l, HoldState to, Optional<LossReason> reason) {
    boolean ended;
    stateLock.lock();
    try {
      if (l.told.isTerminal() || l.told == to) {
        return;
      }
      l.told = to;
      publish(
          switch (to) {
            case HELD -> new LeadershipEvent.Reconfirmed(l);
            case UNCERTAIN -> new LeadershipEvent.Uncertain(l);
            case LOST -> new LeadershipEvent.Lost(l, reason.orElse(LossReason.SESSION_EXPIRED));
            case RELEASED -> new LeadershipEvent.Resigned(l);
          });
      ended = to.isTerminal();
      if (ended && current == l) {
        current = null;
      }
    } finally {
      stateLock.unlock();
    }
    drain();
    if (ended && !baton.isClosed()) {
      contend(); // a new term, if any, is a new node: never the old leadership continued
    }
  }

  /** Enqueues an event for every listener; the caller holds stateLock and drains after. */
  private void publish(LeadershipEvent event) {
    listeners.forEach(r -> r.enqueue(event));
  }

  private void drain() {
    listeners.forEach(r -> r.executor().drain());
  }

  private record Registration(LeadershipListener listener, SerialExecutor executor) {
    void enqueue(LeadershipEvent event) {
      executor.enqueue(() -> listener.leadershipChanged(event));
    }
  }

  @Override
  public String toString() {
    Leadership l = current;
    return lifecycle.get() + (l == null ? "" : ", token " + l.fencingToken() + " " + l.state());
  }
}
