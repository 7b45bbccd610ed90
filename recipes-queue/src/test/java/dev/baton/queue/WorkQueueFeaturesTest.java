package dev.baton.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.Codec;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.ClientProxy;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

/** Priority, delay, dead letters, bounds, metrics and puts across a cut-off, on real servers. */
@WithZooKeeper(size = 1, sessionTimeoutMillis = 6000, connectionTimeoutMillis = 4000)
class WorkQueueFeaturesTest {

  static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void higherPriority_isDeliveredFirst_fifoWithinAPriority(Baton baton) throws Exception {
    try (WorkQueue<String> q = WorkQueue.create(baton, "/q", Codec.utf8())) {
      q.put("low-1", PutOptions.defaults().withPriority(1));
      q.put("normal-1");
      q.put("high-1", PutOptions.defaults().withPriority(9));
      q.put("normal-2");
      q.put("high-2", PutOptions.defaults().withPriority(9));
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Delivery<String> d = q.take(WAIT);
        got.add(d.item());
        d.ack();
      }
      assertThat(got).containsExactly("high-1", "high-2", "normal-1", "normal-2", "low-1");
    }
  }

  @Test
  void delayedItem_isNotDeliveredBeforeItsDueTimeOnTheServersClock(Baton baton) throws Exception {
    Duration delay = Duration.ofSeconds(2);
    try (WorkQueue<String> q = WorkQueue.create(baton, "/q", Codec.utf8())) {
      String id = q.put("later", PutOptions.defaults().withDelay(delay));
      q.put("now");
      Delivery<String> first = q.take(WAIT);
      assertThat(first.item()).as("the undelayed item overtakes the delayed one").isEqualTo("now");
      first.ack();

      Session s = baton.awaitSession(WAIT);
      Stat item =
          s.exists(ZkPath.of("/q/items/" + id.substring(0, id.indexOf('#'))), Optional.empty())
              .get()
              .orElseThrow();
      Delivery<String> later = q.take(WAIT);
      // Stamp "delivered" with the server's clock: the creation time of a node made right now.
      long deliveredAt =
          s.create(ZkPath.of("/q-delivered"), new byte[0], CreateMode.EPHEMERAL)
              .get()
              .stat()
              .getCtime();
      assertThat(later.item()).isEqualTo("later");
      assertThat(deliveredAt).isGreaterThanOrEqualTo(item.getCtime() + delay.toMillis());
      later.ack();
    }
  }

  @Test
  void poisonItem_isDeadLetteredAfterMaxAttempts_withItsReason_andTheRestFlow(Baton baton)
      throws Exception {
    List<String> handled = new CopyOnWriteArrayList<>();
    AtomicInteger poisonAttempts = new AtomicInteger();
    try (WorkQueue<String> q = WorkQueue.create(baton, "/q", Codec.utf8())) {
      for (int i = 0; i < 10; i++) {
        q.put(i == 3 ? "poison" : "ok-" + i);
      }
      ConsumerOptions options =
          ConsumerOptions.defaults()
              .withConcurrency(2)
              .withMaxAttempts(3)
              .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));
      try (QueueConsumer c =
          q.consume(
              item -> {
                if (item.equals("poison")) {
                  poisonAttempts.incrementAndGet();
                  throw new IllegalStateException("cannot ship " + item);
                }
                handled.add(item);
              },
              options)) {
        await().atMost(WAIT).until(() -> handled.size() == 9 && c.deadLettered() == 1);
      }
      assertThat(poisonAttempts).hasValue(3);
      List<DeadLetter<String>> dead = q.deadLetters();
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).item()).contains("poison");
      assertThat(dead.get(0).attempts()).isEqualTo(3);
      assertThat(dead.get(0).reason()).contains("IllegalStateException", "cannot ship poison");
      assertThat(q.poll(Duration.ofMillis(300))).isEmpty();
    }
  }

  @Test
  void undecodableItem_isDeadLettered_andTakeMovesOn(Baton baton) throws Exception {
    try (WorkQueue<byte[]> raw = WorkQueue.create(baton, "/q", Codec.bytes());
        WorkQueue<String> q = WorkQueue.create(baton, "/q", Codec.utf8())) {
      raw.put(new byte[] {(byte) 0xC3, (byte) 0x28});
      q.put("fine");
      Delivery<String> d = q.take(WAIT);
      assertThat(d.item()).isEqualTo("fine");
      d.ack();
      await().atMost(WAIT).until(() -> q.deadLetters().size() == 1);
      DeadLetter<String> dead = q.deadLetters().get(0);
      assertThat(dead.reason()).contains("cannot decode", "UTF-8");
      assertThat(dead.item()).isEmpty();
      assertThat(dead.size()).isEqualTo(2);
    }
  }

  @Test
  void bound_holdsUnderEightConcurrentProducers(TestClients clients) throws Exception {
    int bound = 10;
    QueueOptions options = QueueOptions.defaults().withBound(bound, Duration.ZERO);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<WorkQueue<String>> producers = new ArrayList<>();
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int p = 0; p < 8; p++) {
        WorkQueue<String> q =
            WorkQueue.create(clients.connect(), "/bounded", Codec.utf8(), options);
        producers.add(q);
        int producer = p;
        runs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 5; i++) {
                    try {
                      q.put("p" + producer + "-" + i);
                      accepted.incrementAndGet();
                    } catch (BatonTimeoutException full) {
                      assertThat(full)
                          .hasMessageContaining("/bounded")
                          .hasMessageContaining("full");
                      rejected.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(accepted).hasValue(bound);
    assertThat(rejected).hasValue(40 - bound);
    Session s = clients.connect().awaitSession(WAIT);
    assertThat(s.getChildren(ZkPath.of("/bounded/items"), Optional.empty()).get()).hasSize(bound);
    producers.forEach(WorkQueue::close);
  }

  @Test
  void boundedPut_blocksUntilAConsumerMakesRoom(Baton baton, TestClients clients) throws Exception {
    QueueOptions options = QueueOptions.defaults().withBound(2, Duration.ofSeconds(30));
    try (WorkQueue<String> producer =
            WorkQueue.create(clients.connect(), "/bounded", Codec.utf8(), options);
        WorkQueue<String> consumer = WorkQueue.create(baton, "/bounded", Codec.utf8())) {
      producer.put("a");
      producer.put("b");
      var third = producer.putAsync("c", PutOptions.defaults());
      Delivery<String> a = consumer.take(WAIT);
      // The queue is full until this ack: the third put cannot have been written yet.
      assertThat(third).isNotDone();
      a.ack();
      assertThat(third.get()).endsWith("#0");
    }
  }

  @Test
  void putsDuringAShortCutOff_areNeitherLostNorDuplicated(
      Baton baton, ClientProxy proxy, TestClients clients) throws Exception {
    try (WorkQueue<String> producer = WorkQueue.create(baton, "/q", Codec.utf8());
        WorkQueue<String> consumer = WorkQueue.create(clients.connect(), "/q", Codec.utf8())) {
      List<java.util.concurrent.CompletableFuture<String>> puts = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        puts.add(producer.putAsync("m" + i, PutOptions.defaults()));
        if (i == 50) {
          proxy.cutOffFor(Duration.ofSeconds(1));
        }
      }
      for (var f : puts) {
        f.get();
      }
      Set<String> got = ConcurrentHashMap.newKeySet();
      int deliveries = 0;
      Optional<Delivery<String>> d;
      while ((d = consumer.poll(Duration.ofSeconds(2))).isPresent()) {
        deliveries++;
        got.add(d.get().item());
        d.get().ack();
      }
      assertThat(got).hasSize(200);
      assertThat(deliveries).isEqualTo(200);
    }
  }

  @Test
  void metrics_countPutsAcksAndDeadLetters(Baton baton) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (WorkQueue<String> q =
        WorkQueue.create(
            baton, "/q", Codec.utf8(), QueueOptions.defaults().withMetricsRegistry(registry))) {
      q.put("a");
      q.put("b");
      q.take(WAIT).ack();
      Delivery<String> b = q.take(WAIT);
      assertThat(registry.get("baton.queue.inflight").gauge().value()).isEqualTo(1.0);
      b.deadLetter("no use").get();
      assertThat(registry.get("baton.queue.items.put").counter().count()).isEqualTo(2.0);
      assertThat(registry.get("baton.queue.acked").counter().count()).isEqualTo(1.0);
      assertThat(registry.get("baton.queue.deadlettered").counter().count()).isEqualTo(1.0);
      assertThat(registry.get("baton.queue.take").timer().count()).isEqualTo(2);
      assertThat(registry.get("baton.queue.inflight").gauge().value()).isZero();
    }
  }

  @Test
  void consumerClose_finishesQuickHandlers_andReleasesOnesPastTheShutdownTimeout(
      Baton baton, TestClients clients) throws Exception {
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    try (WorkQueue<String> q = WorkQueue.create(baton, "/q", Codec.utf8());
        WorkQueue<String> next = WorkQueue.create(clients.connect(), "/q", Codec.utf8())) {
      q.put("stuck");
      QueueConsumer c =
          q.consume(
              item -> {
                started.countDown();
                never.await(); // a handler that does not finish on its own
              },
              ConsumerOptions.defaults().withShutdownTimeout(Duration.ofMillis(200)));
      assertThat(started.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      c.close();
      assertThat(c.busy()).isZero();
      // Interrupted past the shutdown timeout: the item was given back, not acked or dead-lettered.
      Delivery<String> again = next.take(WAIT);
      assertThat(again.item()).isEqualTo("stuck");
      again.ack();
      assertThat(q.deadLetters()).isEmpty();
    }
  }
}
