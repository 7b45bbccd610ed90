package dev.baton.queue;

import dev.baton.core.Baton;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;

/**
 * A consumer's cached view of the queue: which items exist, which are claimed, which are free and
 * due, kept current by two persistent recursive watches (one on {@code items}, one on {@code
 * claims}) instead of listing the queue for every take.
 *
 * <h2>Concurrency</h2>
 *
 * All state is guarded by {@code lock}; waiters are run on an executor after the lock is released.
 * Thread-safe.
 *
 * <h2>Failure</h2>
 *
 * The view belongs to one session. Events missed while disconnected are not replayed by ZooKeeper,
 * so after every reconnect both lists are read again; when the session ends the view is dropped and
 * the next {@link #ready()} loads it in the new session. Claims and items never depend on this view
 * for correctness: it only chooses which item to try; the claim node decides.
 *
 * <h2>Invariants</h2>
 *
 * A list read returns the parent's {@code pzxid} (zxid of the last child change it reflects). An
 * event is applied only if its zxid is higher; events that arrive while a list is being read are
 * held and applied after it by the same rule. So the view equals the server's children as of the
 * last event applied, whatever order replies and events are handled in. {@code available} = items -
 * claims - {@code busy} (items this consumer is claiming or holds).
 */
final class QueueView {

  private final Baton baton;
  private final QueuePaths paths;
  private final Executor wakeExecutor;
  private final ScheduledExecutorService timer;
  private final AtomicLong listCalls = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();

  // guarded by lock
  private final QueueIndex index = new QueueIndex();
  private Session session;
  private CompletableFuture<Session> ready;
  private ServerClock clock;
  private Watcher itemsWatcher;
  private Watcher claimsWatcher;
  private boolean closed;
  private Set<Runnable> waiters = new LinkedHashSet<>();

  QueueView(Baton baton, QueuePaths paths, Executor wakeExecutor, ScheduledExecutorService timer) {
    this.baton = baton;
    this.paths = paths;
    this.wakeExecutor = wakeExecutor;
    this.timer = timer;
  }

  /** Completes with the session once the view is loaded in it (loading it if needed). */
  CompletableFuture<Session> ready() {
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("work queue " + paths.root() + " is closed"));
      }
      if (ready != null
          && !ready.isCompletedExceptionally()
          && session != null
          && session.isAlive()) {
        return ready;
      }
      CompletableFuture<Session> loading = baton.sessionAsync().thenCompose(this::load);
      ready = loading;
      return loading;
    } finally {
      lock.unlock();
    }
  }

  private CompletableFuture<Session> load(Session s) {
    Watcher wi = watcher(s, QueueIndex.Kind.ITEMS);
    Watcher wc = watcher(s, QueueIndex.Kind.CLAIMS);
    lock.lock();
    try {
      session = s;
      index.clear();
      itemsWatcher = wi;
      claimsWatcher = wc;
    } finally {
      lock.unlock();
    }
    return ensureLayout(s, paths)
        .thenCompose(v -> ServerClock.read(s, paths.root()))
        .thenCompose(
            c -> {
              inLock(() -> clock = c);
              return s.addWatch(paths.items(), wi, AddWatchMode.PERSISTENT_RECURSIVE);
            })
        .thenCompose(v -> s.addWatch(paths.claims(), wc, AddWatchMode.PERSISTENT_RECURSIVE))
        .thenCompose(v -> relist(s))
        .thenApply(v -> s);
  }

  static CompletableFuture<Void> ensureLayout(Session s, QueuePaths paths) {
    return s.ensurePath(paths.items(), CreateMode.PERSISTENT)
        .thenCompose(v -> s.ensurePath(paths.claims(), CreateMode.PERSISTENT))
        .thenCompose(v -> s.ensurePath(paths.acks(), CreateMode.PERSISTENT))
        .thenCompose(v -> s.ensurePath(paths.dead(), CreateMode.PERSISTENT));
  }

  private CompletableFuture<Void> relist(Session s) {
    inSession(
        s,
        () -> {
          index.startLoading(QueueIndex.Kind.ITEMS);
          index.startLoading(QueueIndex.Kind.CLAIMS);
        });
    listCalls.addAndGet(2);
    return s.getChildrenWithStat(paths.items(), Optional.empty())
        .thenAccept(c -> applyList(s, QueueIndex.Kind.ITEMS, c))
        .thenCompose(v -> s.getChildrenWithStat(paths.claims(), Optional.empty()))
        .thenAccept(c -> applyList(s, QueueIndex.Kind.CLAIMS, c));
  }

  /**
   * Re-reads both lists after a reconnect, trying again after each connection loss for as long as
   * the session lives: until a read lands the index holds back every event, so giving up would
   * freeze it.
   */
  private void relistUntilDone(Session s) {
    relist(s)
        .whenComplete(
            (v, e) -> {
              if (e != null && s.isAlive() && isCurrent(s)) {
                s.whenConnected().whenComplete((x, y) -> relistUntilDone(s));
              }
            });
  }

  private void applyList(Session s, QueueIndex.Kind kind, Session.Children c) {
    inSessionThenWake(s, () -> index.applyList(kind, c.names(), c.stat().getPzxid()));
  }

  private Watcher watcher(Session s, QueueIndex.Kind kind) {
    ZkPath parent = kind == QueueIndex.Kind.ITEMS ? paths.items() : paths.claims();
    return event -> onEvent(s, kind, parent, event);
  }

  private void onEvent(Session s, QueueIndex.Kind kind, ZkPath parent, WatchedEvent event) {
    Watcher.Event.EventType type = event.getType();
    if (type == Watcher.Event.EventType.None) {
      switch (event.getState()) {
        case SyncConnected -> {
          if (kind == QueueIndex.Kind.ITEMS && isCurrent(s)) {
            // Changes made while we were away are not replayed: read both lists again.
            relistUntilDone(s);
          }
        }
        case Expired, Closed -> dropSession(s);
        default -> {}
      }
      return;
    }
    if (type != Watcher.Event.EventType.NodeCreated
        && type != Watcher.Event.EventType.NodeDeleted) {
      return;
    }
    Optional<ZkPath> path = s.clientPath(event.getPath());
    if (path.isEmpty() || !path.get().parent().map(parent::equals).orElse(false)) {
      return; // not a direct child (the recursive watch also sees deeper nodes)
    }
    QueueIndex.Change change =
        new QueueIndex.Change(
            kind,
            path.get().name(),
            type == Watcher.Event.EventType.NodeCreated,
            event.getZxid() == WatchedEvent.NO_ZXID ? Long.MAX_VALUE : event.getZxid());
    inSessionThenWake(s, () -> index.onChange(change));
  }

  /**
   * The next free, due item, now marked busy for this consumer; or empty, with {@code wakeup}
   * registered to run once when the view changes (or the next delayed item falls due).
   *
   * @param spread after losing a claim race: pick among the first few (see {@link QueueIndex#pick})
   */
  Optional<ItemName> pickOrWait(Runnable wakeup, boolean spread) {
    Session s;
    QueueIndex.Pick pick;
    lock.lock();
    try {
      s = session;
      long now = clock == null ? 0 : clock.nowMillis();
      pick = index.pick(now, spread, ThreadLocalRandom.current());
      if (pick.item() == null) {
        waiters.add(wakeup);
        if (pick.nextDueMillis() != Long.MAX_VALUE) {
          schedule(this::wakeAll, Math.max(1, pick.nextDueMillis() - now));
        }
      }
    } finally {
      lock.unlock();
    }
    pick.needDueTime().forEach(name -> fetchDue(s, name));
    return Optional.ofNullable(pick.item());
  }

  /** A delayed item's due time needs its creation time on the server: read once, kept. */
  private void fetchDue(Session s, String name) {
    long delay = ItemName.parse(name).orElseThrow().delayMillis();
    s.exists(paths.item(name), Optional.empty())
        .whenComplete(
            (stat, error) ->
                inSessionThenWake(
                    s,
                    () ->
                        index.dueTime(
                            name,
                            stat != null && stat.isPresent()
                                ? stat.get().getCtime() + delay
                                : null)));
  }

  /** This consumer is done with the item (acked, released or never got it). */
  void unbusy(Session s, String name) {
    inSessionThenWake(s, () -> index.unbusy(name));
  }

  /** See {@link QueueIndex#gone}. */
  void gone(Session s, String name) {
    inSession(s, () -> index.gone(name));
  }

  /** Another consumer holds the claim: not ours, and not available until its claim goes. */
  void claimedElsewhere(Session s, String name) {
    inSession(s, () -> index.claimedElsewhere(name));
  }

  /** Whether another consumer was seen holding this item before (a redelivery). */
  boolean wasClaimedByOthers(String name) {
    lock.lock();
    try {
      return index.wasClaimedByOthers(name);
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a wake-up whose poll ended (timed out) before anything changed. */
  void cancelWait(Runnable wakeup) {
    inLock(() -> waiters.remove(wakeup));
  }

  /** Polls waiting in this view (for tests: timed-out polls must not pile up). */
  int waiting() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      lock.unlock();
    }
  }

  void wakeAll() {
    Runnable wake;
    lock.lock();
    try {
      wake = takeWaiters();
    } finally {
      lock.unlock();
    }
    wake.run();
  }

  private boolean isCurrent(Session s) {
    lock.lock();
    try {
      return s == session;
    } finally {
      lock.unlock();
    }
  }

  private void inLock(Runnable r) {
    lock.lock();
    try {
      r.run();
    } finally {
      lock.unlock();
    }
  }

  private void inSession(Session s, Runnable r) {
    inLock(
        () -> {
          if (s == session) {
            r.run();
          }
        });
  }

  /**
   * Runs {@code r} on the index if {@code s} is current, then wakes the waiters outside the lock.
   */
  private void inSessionThenWake(Session s, Runnable r) {
    Runnable wake;
    lock.lock();
    try {
      if (s != session) {
        return;
      }
      r.run();
      wake = takeWaiters();
    } finally {
      lock.unlock();
    }
    wake.run();
  }

  private Runnable takeWaiters() {
    if (waiters.isEmpty()) {
      return () -> {};
    }
    Set<Runnable> run = waiters;
    waiters = new LinkedHashSet<>();
    return () -> {
      try {
        run.forEach(wakeExecutor::execute);
      } catch (RejectedExecutionException closedQueue) {
        // the queue was closed: nobody is waiting any more
      }
    };
  }

  private void schedule(Runnable r, long millis) {
    try {
      timer.schedule(r, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closedQueue) {
      // the queue was closed
    }
  }

  private void dropSession(Session s) {
    lock.lock();
    try {
      if (s != session) {
        return;
      }
      session = null;
      ready = null;
      index.clear();
    } finally {
      lock.unlock();
    }
    wakeAll();
  }

  /** Item nodes in the view. */
  int depth() {
    lock.lock();
    try {
      return index.depth();
    } finally {
      lock.unlock();
    }
  }

  /** How many times a child list was read from the servers (for tests and metrics). */
  long listCalls() {
    return listCalls.get();
  }

  /** Removes the watches and drops the view. */
  void close() {
    Session s;
    Watcher wi;
    Watcher wc;
    lock.lock();
    try {
      closed = true;
      s = session;
      wi = itemsWatcher;
      wc = claimsWatcher;
    } finally {
      lock.unlock();
    }
    if (s != null && s.isAlive()) {
      s.removeWatches(paths.items(), wi).exceptionally(e -> null);
      s.removeWatches(paths.claims(), wc).exceptionally(e -> null);
    }
    dropSession(s);
  }
}
