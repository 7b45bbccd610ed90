package dev.baton.queue;

import dev.baton.core.Baton;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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

  private enum Kind {
    ITEMS,
    CLAIMS
  }

  /**
   * Per watched parent: the zxid up to which the view reflects it, and events held while loading.
   */
  private static final class Track {
    long pzxid = Long.MAX_VALUE;
    boolean loading = true;
    final List<WatchedEvent> held = new ArrayList<>();
  }

  private final Baton baton;
  private final QueuePaths paths;
  private final Executor wakeExecutor;
  private final ScheduledExecutorService timer;
  private final AtomicLong listCalls = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();

  // guarded by lock
  private Session session;
  private CompletableFuture<Session> ready;
  private ServerClock clock;
  private Watcher itemsWatcher;
  private Watcher claimsWatcher;
  private boolean closed;
  private final Map<Kind, Track> tracks = new HashMap<>();
  private final Map<String, ItemName> items = new HashMap<>();
  private final Set<String> claims = new HashSet<>();
  private final Set<String> busy = new HashSet<>();
  private final TreeSet<ItemName> available = new TreeSet<>(ItemName.ORDER);
  private final Map<String, Long> dueAt = new HashMap<>();
  private final Set<String> dueFetching = new HashSet<>();
  private final Set<String> claimedByOthers = new HashSet<>();
  private List<Runnable> waiters = new ArrayList<>();

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
      if (ready != null && session != null && session.isAlive()) {
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
    lock.lock();
    try {
      session = s;
      clear();
    } finally {
      lock.unlock();
    }
    return ensureLayout(s, paths)
        .thenCompose(v -> ServerClock.read(s, paths.root()))
        .thenCompose(
            c -> {
              Watcher wi = watcher(s, Kind.ITEMS);
              Watcher wc = watcher(s, Kind.CLAIMS);
              lock.lock();
              try {
                clock = c;
                itemsWatcher = wi;
                claimsWatcher = wc;
              } finally {
                lock.unlock();
              }
              return s.addWatch(paths.items(), wi, AddWatchMode.PERSISTENT_RECURSIVE)
                  .thenCompose(
                      v -> s.addWatch(paths.claims(), wc, AddWatchMode.PERSISTENT_RECURSIVE));
            })
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
    lock.lock();
    try {
      tracks.values().forEach(t -> t.loading = true);
    } finally {
      lock.unlock();
    }
    listCalls.addAndGet(2);
    return s.getChildrenWithStat(paths.items(), Optional.empty())
        .thenAccept(c -> applyList(s, Kind.ITEMS, c))
        .thenCompose(v -> s.getChildrenWithStat(paths.claims(), Optional.empty()))
        .thenAccept(c -> applyList(s, Kind.CLAIMS, c));
  }

  private Watcher watcher(Session s, Kind kind) {
    ZkPath parent = kind == Kind.ITEMS ? paths.items() : paths.claims();
    return event -> onEvent(s, kind, parent, event);
  }

  private void onEvent(Session s, Kind kind, ZkPath parent, WatchedEvent event) {
    if (event.getType() == Watcher.Event.EventType.None) {
      switch (event.getState()) {
        case SyncConnected -> {
          if (kind == Kind.ITEMS && isCurrent(s)) {
            // Changes made while we were away are not replayed: read both lists again.
            relist(s).exceptionally(e -> null);
          }
        }
        case Expired, Closed -> dropSession(s);
        default -> {}
      }
      return;
    }
    Runnable wake;
    lock.lock();
    try {
      if (s != session) {
        return;
      }
      Track track = tracks.computeIfAbsent(kind, k -> new Track());
      if (track.loading) {
        track.held.add(event);
        return;
      }
      apply(kind, parent, event, track);
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

  private void applyList(Session s, Kind kind, Session.Children children) {
    Runnable wake;
    lock.lock();
    try {
      if (s != session) {
        return;
      }
      Track track = tracks.computeIfAbsent(kind, k -> new Track());
      if (kind == Kind.ITEMS) {
        items.clear();
        for (String name : children.names()) {
          ItemName.parse(name).ifPresent(n -> items.put(name, n));
        }
      } else {
        claims.clear();
        claims.addAll(children.names());
      }
      track.pzxid = children.stat().getPzxid();
      track.loading = false;
      ZkPath parent = kind == Kind.ITEMS ? paths.items() : paths.claims();
      for (WatchedEvent e : track.held) {
        apply(kind, parent, e, track);
      }
      track.held.clear();
      rebuildAvailable();
      wake = takeWaiters();
    } finally {
      lock.unlock();
    }
    wake.run();
  }

  /** Applies one event if it is newer than what the view reflects. Under lock. */
  private void apply(Kind kind, ZkPath parent, WatchedEvent event, Track track) {
    if (event.getZxid() != WatchedEvent.NO_ZXID && event.getZxid() <= track.pzxid) {
      return;
    }
    Optional<ZkPath> path = session.clientPath(event.getPath());
    if (path.isEmpty() || !path.get().parent().map(parent::equals).orElse(false)) {
      return;
    }
    String name = path.get().name();
    boolean created = event.getType() == Watcher.Event.EventType.NodeCreated;
    boolean deleted = event.getType() == Watcher.Event.EventType.NodeDeleted;
    if (kind == Kind.ITEMS && created) {
      ItemName.parse(name)
          .ifPresent(
              n -> {
                items.put(name, n);
                offer(name);
              });
    } else if (kind == Kind.ITEMS && deleted) {
      ItemName n = items.remove(name);
      if (n != null) {
        available.remove(n);
      }
      dueAt.remove(name);
      claimedByOthers.remove(name);
    } else if (kind == Kind.CLAIMS && created) {
      claims.add(name);
      ItemName n = items.get(name);
      if (n != null) {
        available.remove(n);
      }
      if (!busy.contains(name)) {
        claimedByOthers.add(name);
      }
    } else if (kind == Kind.CLAIMS && deleted) {
      claims.remove(name);
      offer(name);
    }
  }

  /** Makes the item available if it exists, is unclaimed and not ours. Under lock. */
  private void offer(String name) {
    ItemName n = items.get(name);
    if (n != null && !claims.contains(name) && !busy.contains(name)) {
      available.add(n);
    }
  }

  private void rebuildAvailable() {
    available.clear();
    items.keySet().forEach(this::offer);
  }

  /**
   * The next free, due item, now marked busy for this consumer; or empty, with {@code wakeup}
   * registered to run once when the view changes (or the next delayed item falls due).
   *
   * @param spread pick at random among the first few candidates: after losing a claim race, so that
   *     several consumers stop colliding on the head of the queue
   */
  Optional<ItemName> pickOrWait(Runnable wakeup, boolean spread) {
    List<String> fetch = new ArrayList<>();
    Session s;
    ItemName pick = null;
    lock.lock();
    try {
      s = session;
      long now = clock == null ? 0 : clock.nowMillis();
      long nextDue = Long.MAX_VALUE;
      // Claims we did not make mean other consumers are at work: spread out instead of all
      // racing for the head (a lone consumer keeps strict order).
      boolean othersActive = claims.size() > busy.size();
      List<ItemName> candidates = new ArrayList<>(8);
      for (ItemName n : available) {
        if (n.delayed()) {
          Long due = dueAt.get(n.name());
          if (due == null) {
            if (dueFetching.add(n.name())) {
              fetch.add(n.name());
            }
            continue;
          }
          if (due > now) {
            nextDue = Math.min(nextDue, due);
            continue;
          }
        }
        candidates.add(n);
        if (candidates.size() >= (spread || othersActive ? 8 : 1)) {
          break;
        }
      }
      if (candidates.isEmpty()) {
        waiters.add(wakeup);
        if (nextDue != Long.MAX_VALUE) {
          try {
            timer.schedule(this::wakeAll, Math.max(1, nextDue - now), TimeUnit.MILLISECONDS);
          } catch (RejectedExecutionException closed) {
            // the queue was closed
          }
        }
      } else {
        pick = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        busy.add(pick.name());
        available.remove(pick);
      }
    } finally {
      lock.unlock();
    }
    fetch.forEach(name -> fetchDue(s, name));
    return Optional.ofNullable(pick);
  }

  /** A delayed item's due time needs its creation time on the server: read once, kept. */
  private void fetchDue(Session s, String name) {
    ItemName n = ItemName.parse(name).orElseThrow();
    s.exists(paths.item(name), Optional.empty())
        .whenComplete(
            (stat, error) -> {
              lock.lock();
              try {
                dueFetching.remove(name);
                if (stat != null && stat.isPresent() && s == session) {
                  dueAt.put(name, stat.get().getCtime() + n.delayMillis());
                }
              } finally {
                lock.unlock();
              }
              wakeAll();
            });
  }

  /** This consumer is done with the item (acked, released or never got it). */
  void unbusy(Session s, String name) {
    Runnable wake;
    lock.lock();
    try {
      if (s != session) {
        return;
      }
      busy.remove(name);
      offer(name);
      wake = takeWaiters();
    } finally {
      lock.unlock();
    }
    wake.run();
  }

  /**
   * The item node is gone although the view still listed it (its deletion happened while we were
   * disconnected and the re-read has not landed yet): forget it.
   */
  void gone(Session s, String name) {
    lock.lock();
    try {
      if (s != session) {
        return;
      }
      // Stays busy until our claim on it is deleted (unbusy), so it never counts as another
      // consumer's claim.
      ItemName n = items.remove(name);
      if (n != null) {
        available.remove(n);
      }
      dueAt.remove(name);
    } finally {
      lock.unlock();
    }
  }

  /** Another consumer holds the claim: not ours, and not available until its claim goes. */
  void claimedElsewhere(Session s, String name) {
    lock.lock();
    try {
      if (s != session) {
        return;
      }
      busy.remove(name);
      claims.add(name);
      claimedByOthers.add(name);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether another consumer was seen holding this item before (so this delivery is a redelivery).
   */
  boolean wasClaimedByOthers(String name) {
    lock.lock();
    try {
      return claimedByOthers.contains(name);
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

  private Runnable takeWaiters() {
    if (waiters.isEmpty()) {
      return () -> {};
    }
    List<Runnable> run = waiters;
    waiters = new ArrayList<>();
    return () -> {
      try {
        run.forEach(wakeExecutor::execute);
      } catch (RejectedExecutionException closed) {
        // the queue was closed: nobody is waiting any more
      }
    };
  }

  private void dropSession(Session s) {
    lock.lock();
    try {
      if (s != session) {
        return;
      }
      session = null;
      ready = null;
      clear();
    } finally {
      lock.unlock();
    }
    wakeAll();
  }

  private void clear() {
    tracks.clear();
    items.clear();
    claims.clear();
    busy.clear();
    available.clear();
    dueAt.clear();
    dueFetching.clear();
    claimedByOthers.clear();
  }

  /** Item nodes in the view. */
  int depth() {
    lock.lock();
    try {
      return items.size();
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
    Watcher[] ws;
    lock.lock();
    try {
      closed = true;
      s = session;
      ws = new Watcher[] {itemsWatcher, claimsWatcher};
    } finally {
      lock.unlock();
    }
    if (s != null && s.isAlive()) {
      if (ws[0] != null) {
        s.removeWatches(paths.items(), ws[0]).exceptionally(e -> null);
      }
      if (ws[1] != null) {
        s.removeWatches(paths.claims(), ws[1]).exceptionally(e -> null);
      }
    }
    dropSession(s);
  }
}
