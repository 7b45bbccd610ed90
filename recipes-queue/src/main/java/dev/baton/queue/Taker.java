package dev.baton.queue;

import dev.baton.core.AclProvider;
import dev.baton.core.Codec;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.ErrorHandler;
import dev.baton.core.NodeData;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZooKeeperOperationException;
import dev.baton.core.internal.Futures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * The consumer side of a {@link WorkQueue}: picks a free item from the {@link QueueView}, claims it
 * with an ephemeral node, reads it and hands out {@link Delivery deliveries}. Items of a batch node
 * beyond the first wait in a local buffer for the next polls.
 *
 * <h2>Concurrency</h2>
 *
 * Every poll is a chain of async steps; none blocks a thread. Thread-safe: the buffer is a
 * concurrent deque, the view has its own lock.
 *
 * <h2>Failure</h2>
 *
 * Losing a claim race ({@code NODEEXISTS}) moves on to another item, picked at random among the
 * first few so that consumers stop colliding. A claim create whose reply was lost is resolved by
 * reading the claim's {@code ephemeralOwner}. A claimed item that is gone (acked by its previous
 * holder just before) drops the claim. An item that cannot be decoded is dead-lettered at once and
 * the poll goes on.
 */
final class Taker<T> {

  private final QueuePaths paths;
  private final QueueView view;
  private final Codec<T> codec;
  private final ScheduledExecutorService timer;
  private final ErrorHandler errors;
  private final QueueMetrics metrics;
  private final AclProvider acls;
  private final byte[] tag;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentLinkedDeque<Delivery<T>> buffer = new ConcurrentLinkedDeque<>();
  private final Set<Delivery<T>> handedOut = ConcurrentHashMap.newKeySet();

  Taker(
      QueuePaths paths,
      QueueView view,
      Codec<T> codec,
      ScheduledExecutorService timer,
      ErrorHandler errors,
      QueueMetrics metrics,
      AclProvider acls,
      String consumerName) {
    this.paths = paths;
    this.view = view;
    this.codec = codec;
    this.timer = timer;
    this.errors = errors;
    this.metrics = metrics;
    this.acls = acls;
    this.tag = consumerName.getBytes(StandardCharsets.UTF_8);
  }

  int inFlight() {
    return inFlight.get();
  }

  /** One poll: its result and the wake-up it registers with the view while it waits. */
  private final class Poll {
    final CompletableFuture<Optional<Delivery<T>>> result = new CompletableFuture<>();
    final Runnable wake = () -> step(this, false);
  }

  CompletableFuture<Optional<Delivery<T>>> poll(Duration timeout) {
    Poll poll = new Poll();
    CompletableFuture<Optional<Delivery<T>>> result = poll.result;
    long start = System.nanoTime();
    ScheduledFuture<?> expiry =
        timer.schedule(
            () -> result.complete(Optional.empty()), timeout.toNanos(), TimeUnit.NANOSECONDS);
    result.whenComplete(
        (d, e) -> {
          expiry.cancel(false);
          view.cancelWait(poll.wake); // a timed-out poll must not stay registered
          if (d != null && d.isPresent()) {
            handedOut.add(d.get());
            handedOut.removeIf(Delivery::isSettled);
            metrics.taken(System.nanoTime() - start);
          }
        });
    step(poll, false);
    return result;
  }

  private void step(Poll poll, boolean spread) {
    CompletableFuture<Optional<Delivery<T>>> result = poll.result;
    if (result.isDone()) {
      return;
    }
    Delivery<T> buffered;
    while ((buffered = buffer.pollFirst()) != null) {
      if (!buffered.claimIsLive()) {
        buffered.close();
        continue;
      }
      if (!result.complete(Optional.of(buffered))) {
        buffer.addFirst(buffered);
      }
      return;
    }
    view.ready()
        .whenComplete(
            (s, error) -> {
              if (error != null) {
                retryLater(poll, error);
                return;
              }
              if (result.isDone()) {
                return;
              }
              Optional<ItemName> next = view.pickOrWait(poll.wake, spread);
              if (next.isPresent()) {
                claim(s, next.get(), poll);
              } else if (result.isDone()) {
                view.cancelWait(poll.wake); // timed out while registering
              }
            });
  }

  /**
   * Session or connection trouble while loading the view: try again shortly, until the poll ends.
   */
  private void retryLater(Poll poll, Throwable error) {
    CompletableFuture<Optional<Delivery<T>>> result = poll.result;
    Throwable t = Futures.unwrap(error);
    if (t instanceof SessionLostException || t instanceof ConnectionLossException) {
      try {
        timer.schedule(() -> step(poll, false), 100, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        result.complete(Optional.empty());
      }
    } else {
      result.completeExceptionally(t);
    }
  }

  private void claim(Session s, ItemName n, Poll poll) {
    CompletableFuture<Optional<Delivery<T>>> result = poll.result;
    s.create(paths.claim(n.name()), tag, CreateMode.EPHEMERAL)
        .whenComplete(
            (created, error) -> {
              if (error == null) {
                read(s, n, poll);
                return;
              }
              Throwable t = Futures.unwrap(error);
              if (t instanceof ZooKeeperOperationException z
                  && z.code() == KeeperException.Code.NODEEXISTS) {
                view.claimedElsewhere(s, n.name());
                step(poll, true);
              } else if (t instanceof ConnectionLossException) {
                resolveLostClaim(s, n, poll);
              } else if (t instanceof SessionLostException) {
                step(poll, false);
              } else {
                view.unbusy(s, n.name());
                result.completeExceptionally(t);
              }
            });
  }

  /** The claim's create reply was lost: the claim node's owner says whether it is ours. */
  private void resolveLostClaim(Session s, ItemName n, Poll poll) {
    s.whenConnected()
        .thenCompose(v -> s.exists(paths.claim(n.name()), Optional.empty()))
        .whenComplete(
            (stat, error) -> {
              if (error != null) {
                // Still unknown. Our claim may exist: never give up on it while the session
                // lives, or the item would stay claimed by nobody who delivers it.
                if (s.isAlive()) {
                  resolveLostClaim(s, n, poll);
                } else {
                  step(poll, false);
                }
              } else if (stat.isPresent() && stat.get().getEphemeralOwner() == s.id()) {
                read(s, n, poll);
              } else if (stat.isPresent()) {
                view.claimedElsewhere(s, n.name());
                step(poll, true);
              } else {
                view.unbusy(s, n.name());
                step(poll, false);
              }
            });
  }

  private void read(Session s, ItemName n, Poll poll) {
    s.getData(paths.item(n.name()), Optional.empty())
        .thenCompose(
            data -> {
              if (data.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<Claimed>empty());
              }
              if (!Entries.isBatch(data.get().data())) {
                // One item: nothing can be half-acked, so there are no ack bits to read.
                return CompletableFuture.completedFuture(
                    Optional.of(new Claimed(data.get(), Optional.empty())));
              }
              return s.getData(paths.ack(n.name()), Optional.empty())
                  .thenApply(bits -> Optional.of(new Claimed(data.get(), bits)));
            })
        .whenComplete(
            (claimed, error) -> {
              if (error != null || claimed.isEmpty()) {
                // Gone (acked by its previous holder a moment ago) or unreadable: let go of it.
                if (error != null) {
                  errors.handle("reading item " + paths.item(n.name()), Futures.unwrap(error));
                } else {
                  view.gone(s, n.name());
                }
                s.deleteIfOwned(paths.claim(n.name()))
                    .whenComplete((v, e) -> view.unbusy(s, n.name()));
                step(poll, false);
                return;
              }
              deliver(s, n, claimed.get(), poll);
            });
  }

  private record Claimed(NodeData item, Optional<NodeData> ackBits) {}

  private void deliver(Session s, ItemName n, Claimed claimed, Poll poll) {
    CompletableFuture<Optional<Delivery<T>>> result = poll.result;
    List<byte[]> entries;
    try {
      entries = Entries.decodeItems(claimed.item().data());
    } catch (IllegalArgumentException corrupt) {
      entries = List.of(claimed.item().data());
    }
    BitSet acked = claimed.ackBits().map(b -> BitSet.valueOf(b.data())).orElseGet(BitSet::new);
    int ackVersion = claimed.ackBits().map(b -> b.stat().getVersion()).orElse(-1);
    ClaimedNode node =
        new ClaimedNode(
            s,
            paths,
            n.name(),
            entries.size(),
            acked,
            ackVersion,
            acls,
            () -> view.unbusy(s, n.name()));
    boolean redelivery = view.wasClaimedByOthers(n.name());
    List<Delivery<T>> ready = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      if (acked.get(i)) {
        continue;
      }
      byte[] raw = entries.get(i);
      T item;
      try {
        item = codec.decode(raw);
        if (item == null) {
          throw new IllegalArgumentException("the codec decoded null");
        }
      } catch (RuntimeException e) {
        Delivery<T> bad = new Delivery<>(node, i, null, raw, redelivery, metrics, inFlight);
        bad.deadLetter("cannot decode: " + e, 0)
            .exceptionally(
                x -> {
                  errors.handle("dead-lettering undecodable item " + bad.id(), x);
                  return null;
                });
        continue;
      }
      ready.add(new Delivery<>(node, i, item, raw, redelivery, metrics, inFlight));
    }
    if (redelivery && !ready.isEmpty()) {
      metrics.redelivered();
    }
    if (ready.isEmpty()) {
      step(poll, false);
      return;
    }
    for (int i = ready.size() - 1; i >= 1; i--) {
      buffer.addFirst(ready.get(i));
    }
    if (!result.complete(Optional.of(ready.get(0)))) {
      buffer.addFirst(ready.get(0));
    }
  }

  /** Releases every buffered delivery and every one handed out and not settled (on close). */
  void releaseAll() {
    Delivery<T> d;
    while ((d = buffer.pollFirst()) != null) {
      d.close();
    }
    handedOut.forEach(Delivery::close);
    handedOut.clear();
  }
}
