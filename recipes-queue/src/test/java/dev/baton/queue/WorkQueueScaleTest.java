package dev.baton.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.Codec;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A large queue drains from the cached view, without listing the queue per item. */
@WithZooKeeper(size = 1, sessionTimeoutMillis = 10000, connectionTimeoutMillis = 8000)
class WorkQueueScaleTest {

  static final int ITEMS = 20_000;

  @Test
  void twentyThousandItems_drainWithoutRelistingTheQueue(Baton baton, TestClients clients)
      throws Exception {
    try (WorkQueue<String> producer = WorkQueue.create(clients.connect(), "/big", Codec.utf8());
        WorkQueue<String> consumer = WorkQueue.create(baton, "/big", Codec.utf8())) {
      long putStart = System.nanoTime();
      Semaphore window = new Semaphore(256);
      AtomicInteger failures = new AtomicInteger();
      for (int i = 0; i < ITEMS; i++) {
        window.acquire();
        producer
            .putAsync("item-" + i, PutOptions.defaults())
            .whenComplete(
                (id, e) -> {
                  if (e != null) {
                    failures.incrementAndGet();
                  }
                  window.release();
                });
      }
      window.acquire(256);
      double putSeconds = (System.nanoTime() - putStart) / 1e9;
      assertThat(failures).hasValue(0);

      Set<String> seen = ConcurrentHashMap.newKeySet();
      AtomicInteger duplicates = new AtomicInteger();
      long drainStart = System.nanoTime();
      try (QueueConsumer c =
          consumer.consume(
              item -> {
                if (!seen.add(item)) {
                  duplicates.incrementAndGet();
                }
              },
              ConsumerOptions.defaults().withConcurrency(8))) {
        await().atMost(Duration.ofMinutes(5)).until(() -> c.handled() == ITEMS);
      }
      double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
      System.out.printf(
          "queue scale: put %d items in %.1f s (%.0f/s, 256 in flight); drained in %.1f s (%.0f/s,"
              + " 8 handler threads); list calls %d%n",
          ITEMS,
          putSeconds,
          ITEMS / putSeconds,
          drainSeconds,
          ITEMS / drainSeconds,
          consumer.listCalls());
      assertThat(seen).hasSize(ITEMS);
      assertThat(duplicates).hasValue(0);
      // Two lists (items, claims) on load; more only after a reconnect, never per item.
      assertThat(consumer.listCalls()).isLessThanOrEqualTo(4);
    }
  }
}
