package dev.baton.queue;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import dev.baton.core.internal.Futures;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;

/**
 * Writes item nodes.
 *
 * <h2>Failure</h2>
 *
 * A create whose reply was lost (connection loss, or the session ending meanwhile) has an unknown
 * outcome. Each put carries a unique token in its node name, so the producer lists the items, in
 * the same or the next session, and writes again only if no node with its token exists. An item
 * consumed and acked in that short window would be written again: puts are at-least-once, never
 * lost.
 *
 * <h2>Bound</h2>
 *
 * A bounded put reads the {@code items} node's stat ({@code numChildren}, {@code version}) and
 * writes in one multi: a {@code setData} of {@code items} at that version plus the create. Two
 * producers that read the same stat cannot both succeed, so the count they checked is the count
 * they wrote into: the bound holds under any number of producers. Consumers removing items need not
 * touch the version: the count only goes down.
 *
 * <p>Thread-safe: its only state is the session it last created the layout in (a volatile).
 */
final class Producer {

  private final Baton baton;
  private final QueuePaths paths;
  private final QueueOptions options;
  private final ScheduledExecutorService timer;
  private volatile Session laidOutIn;

  Producer(Baton baton, QueuePaths paths, QueueOptions options, ScheduledExecutorService timer) {
    this.baton = baton;
    this.paths = paths;
    this.options = options;
    this.timer = timer;
  }

  /** Writes one node; completes with its name. */
  CompletableFuture<String> write(String prefix, byte[] data) {
    long deadline = System.nanoTime() + options.putWait().toNanos();
    return baton
        .sessionAsync()
        .thenCompose(s -> attempt(s, prefix, data, deadline))
        .exceptionallyCompose(e -> recoverIfUnknown(e, prefix, data, deadline));
  }

  private CompletableFuture<String> attempt(Session s, String prefix, byte[] data, long deadline) {
    return layout(s)
        .thenCompose(
            v ->
                options.bound() == 0
                    ? create(s, prefix, data)
                    : boundedCreate(s, prefix, data, deadline));
  }

  /**
   * A connection loss or session end leaves the outcome unknown: find our token among the items (in
   * whatever session is current) or write again. Other failures pass through.
   */
  private CompletableFuture<String> recoverIfUnknown(
      Throwable error, String prefix, byte[] data, long deadline) {
    Throwable t = Futures.unwrap(error);
    if (!(t instanceof ConnectionLossException || t instanceof SessionLostException)) {
      return CompletableFuture.failedFuture(t);
    }
    return delay()
        .thenCompose(x -> baton.sessionAsync())
        .thenCompose(
            s ->
                s.whenConnected()
                    .thenCompose(v -> layout(s))
                    .thenCompose(v -> s.getChildren(paths.items(), Optional.empty()))
                    .thenCompose(
                        names ->
                            names.stream()
                                .filter(n -> n.startsWith(prefix))
                                .findFirst()
                                .map(CompletableFuture::completedFuture)
                                .orElseGet(() -> attempt(s, prefix, data, deadline))))
        .exceptionallyCompose(e -> recoverIfUnknown(e, prefix, data, deadline));
  }

  private CompletableFuture<Void> delay() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    timer.schedule(() -> f.complete(null), 50, TimeUnit.MILLISECONDS);
    return f;
  }

  /** Creates the queue's nodes once per session. */
  private CompletableFuture<Void> layout(Session s) {
    if (laidOutIn == s) {
      return CompletableFuture.completedFuture(null);
    }
    return QueueView.ensureLayout(s, paths).thenRun(() -> laidOutIn = s);
  }

  private CompletableFuture<String> create(Session s, String prefix, byte[] data) {
    return s.create(paths.items().child(prefix), data, CreateMode.PERSISTENT_SEQUENTIAL)
        .thenApply(c -> c.path().name());
  }

  private CompletableFuture<String> boundedCreate(
      Session s, String prefix, byte[] data, long deadline) {
    return s.exists(paths.items(), Optional.empty())
        .thenCompose(
            stat -> {
              var st = stat.orElseThrow();
              if (st.getNumChildren() >= options.bound()) {
                return waitForRoom(s, deadline, st.getNumChildren())
                    .thenCompose(v -> boundedCreate(s, prefix, data, deadline));
              }
              List<Op> ops =
                  List.of(
                      Op.setData(s.serverPath(paths.items()), new byte[0], st.getVersion()),
                      Op.create(
                          s.serverPath(paths.items().child(prefix)),
                          data,
                          baton.aclProvider().aclFor(paths.items().child(prefix)),
                          CreateMode.PERSISTENT_SEQUENTIAL));
              return s.multi(ops)
                  .<CompletableFuture<String>>handle(
                      (results, error) -> {
                        if (error == null) {
                          String path = ((OpResult.CreateResult) results.get(1)).getPath();
                          return CompletableFuture.completedFuture(
                              path.substring(path.lastIndexOf('/') + 1));
                        }
                        Throwable t = Futures.unwrap(error);
                        if (t instanceof ZooKeeperOperationException z
                            && z.code() == KeeperException.Code.BADVERSION) {
                          // Another producer wrote since we counted: count again.
                          return boundedCreate(s, prefix, data, deadline);
                        }
                        return CompletableFuture.failedFuture(t);
                      })
                  .thenCompose(f -> f);
            });
  }

  /** Waits for a child of {@code items} to go (or the put's wait to run out). */
  private CompletableFuture<Void> waitForRoom(Session s, long deadline, int seen) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return CompletableFuture.failedFuture(
          new BatonTimeoutException(
              "put into "
                  + paths.root()
                  + " (full: "
                  + seen
                  + " of "
                  + options.bound()
                  + " item nodes)",
              options.putWait()));
    }
    CompletableFuture<Void> changed = new CompletableFuture<>();
    timer.schedule(() -> changed.complete(null), left, TimeUnit.NANOSECONDS);
    return s.getChildren(paths.items(), Optional.of(e -> changed.complete(null)))
        .thenCompose(
            names ->
                names.size() < options.bound() ? CompletableFuture.completedFuture(null) : changed);
  }

  ZkPath root() {
    return paths.root();
  }

  Duration putWait() {
    return options.putWait();
  }
}
