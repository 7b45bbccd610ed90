package dev.baton.queue;

import dev.baton.core.HoldLostException;
import dev.baton.testkit.QueueLedger;
import dev.baton.testkit.QueueLedger.LedgerReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Producers and consumers of string items recorded in a {@link QueueLedger}: each item is {@code
 * p<producer>-<n>}, recorded as produced before its put, delivered when taken and acked only once
 * the ack committed.
 */
final class QueueRun implements AutoCloseable {

  final QueueLedger ledger = new QueueLedger();
  final AtomicLong ackFailures = new AtomicLong();

  /**
   * Per item, the ids (node#index) it was delivered from: two ids mean its put was written twice.
   */
  final Map<String, Set<String>> deliveredFrom = new ConcurrentHashMap<>();

  private final AtomicBoolean stop = new AtomicBoolean();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<Future<?>> producers = new ArrayList<>();
  private final List<Future<?>> consumers = new ArrayList<>();

  void produce(WorkQueue<String> q, int producer, int items) {
    producers.add(
        pool.submit(
            () -> {
              for (int i = 0; i < items; i++) {
                String item = "p" + producer + "-" + i;
                ledger.produced(item);
                q.put(item);
              }
              return null;
            }));
  }

  void consume(WorkQueue<String> q, String name) {
    consumers.add(
        pool.submit(
            () -> {
              while (!stop.get()) {
                Optional<Delivery<String>> d = q.poll(Duration.ofMillis(300));
                if (d.isEmpty()) {
                  continue;
                }
                ledger.delivered(d.get().item(), name);
                deliveredFrom
                    .computeIfAbsent(d.get().item(), k -> ConcurrentHashMap.newKeySet())
                    .add(d.get().id());
                try {
                  d.get().ack();
                  ledger.acked(d.get().item(), name);
                } catch (HoldLostException lost) {
                  ackFailures.incrementAndGet();
                }
              }
              return null;
            }));
  }

  void awaitProducers(Duration timeout) throws Exception {
    for (Future<?> f : producers) {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Waits until every produced item was acked (or the timeout), then stops the consumers. */
  void awaitDrained(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && !ledger.report().lost().isEmpty()) {
      CompletableFuture.runAsync(
              () -> {}, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
          .join();
    }
    stop.set(true);
    for (Future<?> f : consumers) {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Items acked twice or delivered after their ack that came from one node only: those break the
   * queue's promise. An item delivered from two nodes had its put written twice (a put whose reply
   * was lost, found consumed before the producer looked for it: puts are at-least-once).
   */
  Set<String> redeliveredFromOneNode() {
    LedgerReport r = ledger.report();
    Set<String> suspects = new HashSet<>(r.duplicateAcks());
    suspects.addAll(r.deliveredAfterAck());
    suspects.removeIf(item -> deliveredFrom.getOrDefault(item, Set.of()).size() > 1);
    return suspects;
  }

  @Override
  public void close() {
    stop.set(true);
    pool.shutdownNow();
  }
}
