package dev.baton.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.Codec;
import dev.baton.core.HoldLostException;
import dev.baton.testkit.QueueLedger.LedgerReport;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Delivery guarantees with several clients on a real 3-node ensemble: every item exactly once when
 * nothing fails; nothing lost and only unacked items again when consumers die or the leader does.
 */
@WithZooKeeper(size = 3, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class WorkQueueDeliveryTest {

  static final Duration WAIT = Duration.ofSeconds(90);
  static final String Q = "/queues/work";

  static WorkQueue<String> queue(Baton client) {
    return WorkQueue.create(client, Q, Codec.utf8());
  }

  @Test
  void oneProducerOneConsumer_deliverEveryItemExactlyOnce(TestClients clients) throws Exception {
    try (QueueRun run = new QueueRun();
        WorkQueue<String> producer = queue(clients.connect());
        WorkQueue<String> consumer = queue(clients.connect())) {
      run.consume(consumer, "c0");
      run.produce(producer, 0, 300);
      run.awaitProducers(WAIT);
      run.awaitDrained(WAIT);
      LedgerReport r = run.ledger.report();
      assertThat(r.ok()).as(r.summary()).isTrue();
      assertThat(r.produced()).isEqualTo(300);
      assertThat(r.delivered()).as("nothing crashed: no redelivery").isEqualTo(300);
    }
  }

  @Test
  void fourProducersFourConsumers_deliverEveryItemExactlyOnce(TestClients clients)
      throws Exception {
    List<WorkQueue<String>> queues = new ArrayList<>();
    try (QueueRun run = new QueueRun()) {
      startFourByFour(clients, run, queues);
      run.awaitProducers(WAIT);
      run.awaitDrained(WAIT);
      LedgerReport r = run.ledger.report();
      assertThat(r.ok()).as(r.summary()).isTrue();
      assertThat(r.produced()).isEqualTo(600);
      assertThat(r.delivered()).as("nothing crashed: no redelivery").isEqualTo(600);
    } finally {
      queues.forEach(WorkQueue::close);
    }
  }

  /** 4 consumers, then 4 producers of 150 items each, every one on its own client. */
  static void startFourByFour(TestClients clients, QueueRun run, List<WorkQueue<String>> queues) {
    for (int i = 0; i < 4; i++) {
      WorkQueue<String> c = queue(clients.connect());
      queues.add(c);
      run.consume(c, "c" + i);
    }
    for (int i = 0; i < 4; i++) {
      WorkQueue<String> p = queue(clients.connect());
      queues.add(p);
      run.produce(p, i, 150);
    }
  }

  /** Takes {@code n} items without acking them, as a consumer that is about to die. */
  static List<Delivery<String>> takeUnacked(WorkQueue<String> q, QueueRun run, int n)
      throws Exception {
    List<Delivery<String>> taken = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Delivery<String> d = q.take(WAIT);
      run.ledger.delivered(d.item(), "doomed");
      taken.add(d);
    }
    return taken;
  }

  static void putAll(WorkQueue<String> q, QueueRun run, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      run.ledger.produced("p0-" + i);
      q.put("p0-" + i);
    }
  }

  static void assertOnlyUnackedCameBack(QueueRun run, int produced, int unacked) {
    LedgerReport r = run.ledger.report();
    assertThat(r.ok()).as(r.summary()).isTrue();
    assertThat(r.produced()).isEqualTo(produced);
    assertThat(r.redeliveries()).as(r.summary()).isEqualTo(unacked);
  }

  @Test
  void consumerWhoseSessionExpiresMidHandler_losesNothing_andItsAckIsRefused(
      TestClients clients, ZooKeeperEnsemble zk) throws Exception {
    Baton doomedClient = clients.connect();
    try (QueueRun run = new QueueRun();
        WorkQueue<String> doomed = queue(doomedClient);
        WorkQueue<String> survivor = queue(clients.connect())) {
      putAll(doomed, run, 20);
      List<Delivery<String>> taken = takeUnacked(doomed, run, 5);

      zk.expireSession(doomedClient);
      await().atMost(WAIT).until(() -> taken.get(0).lost().toCompletableFuture().isDone());
      assertThatThrownBy(() -> taken.get(0).ack()).isInstanceOf(HoldLostException.class);

      run.consume(survivor, "survivor");
      run.awaitDrained(WAIT);
      assertOnlyUnackedCameBack(run, 20, 5);
    }
  }

  @Test
  void consumerCutOffPastItsSessionTimeout_losesNothing(TestClients clients) throws Exception {
    TestClients.ProxiedClient doomedClient = clients.connectThroughNewProxy();
    try (QueueRun run = new QueueRun();
        WorkQueue<String> doomed = queue(doomedClient.client());
        WorkQueue<String> survivor = queue(clients.connect())) {
      putAll(survivor, run, 20);
      List<Delivery<String>> taken = takeUnacked(doomed, run, 5);

      doomedClient.proxy().cutOff();
      run.consume(survivor, "survivor");
      // The servers expire the cut-off session after its timeout; its claims go with it.
      run.awaitDrained(WAIT);
      assertOnlyUnackedCameBack(run, 20, 5);

      doomedClient.proxy().heal();
      assertThatThrownBy(() -> taken.get(1).ack()).isInstanceOf(HoldLostException.class);
    }
  }

  @Test
  void consumerClosedWithoutAcking_losesNothing(TestClients clients) throws Exception {
    Baton doomedClient = clients.connect();
    try (QueueRun run = new QueueRun();
        WorkQueue<String> survivor = queue(clients.connect())) {
      WorkQueue<String> doomed = queue(doomedClient);
      putAll(doomed, run, 20);
      takeUnacked(doomed, run, 3);
      doomed.close(); // releases its unsettled items at once
      takeUnacked(queue(doomedClient), run, 2);
      doomedClient.close(); // ends the session: the servers drop its claims

      run.consume(survivor, "survivor");
      run.awaitDrained(WAIT);
      assertOnlyUnackedCameBack(run, 20, 5);
    }
  }

  @Test
  void leaderKilledDuringFourByFour_losesNothing(TestClients clients, ZooKeeperEnsemble zk)
      throws Exception {
    List<WorkQueue<String>> queues = new ArrayList<>();
    try (QueueRun run = new QueueRun()) {
      startFourByFour(clients, run, queues);
      await().atMost(WAIT).until(() -> run.ledger.report().acked() >= 100);
      int killed = zk.killLeader();
      await().atMost(WAIT).until(() -> run.ledger.report().acked() >= 300);
      zk.startServer(killed);
      run.awaitProducers(WAIT);
      run.awaitDrained(WAIT);
      LedgerReport r = run.ledger.report();
      // Puts that lost their reply to the leader's death may have been written twice (at-least-once
      // puts); every other item exactly once, and nothing lost.
      assertThat(r.lost()).as(r.summary()).isEmpty();
      assertThat(r.unknown()).as(r.summary()).isEmpty();
      assertThat(run.redeliveredFromOneNode()).as(r.summary()).isEmpty();
      assertThat(r.produced()).isEqualTo(600);
    } finally {
      queues.forEach(WorkQueue::close);
    }
  }

  @Test
  void consumerCutOffBriefly_seesItemsPutAndAckedWhileItWasAway(TestClients clients)
      throws Exception {
    TestClients.ProxiedClient away = clients.connectThroughNewProxy();
    try (WorkQueue<String> consumer = queue(away.client());
        WorkQueue<String> producer = queue(clients.connect());
        WorkQueue<String> other = queue(clients.connect())) {
      producer.put("before");
      consumer.take(WAIT).ack();
      producer.put("acked-elsewhere");

      away.proxy().cutOff();
      other.take(WAIT).ack(); // deleted while the consumer is away: it must not chase it forever
      for (int i = 0; i < 5; i++) {
        producer.put("during-" + i);
      }
      away.proxy().heal();

      List<String> got = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Delivery<String> d = consumer.take(WAIT);
        got.add(d.item());
        d.ack();
      }
      assertThat(got).containsExactly("during-0", "during-1", "during-2", "during-3", "during-4");
      assertThat(consumer.poll(Duration.ofMillis(500))).isEmpty();
    }
  }
}
