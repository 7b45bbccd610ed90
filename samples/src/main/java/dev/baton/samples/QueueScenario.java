package dev.baton.samples;

import dev.baton.core.Baton;
import dev.baton.core.Codec;
import dev.baton.core.HoldLostException;
import dev.baton.queue.Delivery;
import dev.baton.queue.PutOptions;
import dev.baton.queue.WorkQueue;
import dev.baton.testkit.QueueLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A work queue that loses nothing: a producer puts orders, three consumers on separate sessions
 * take and ack them, and one consumer is killed (its session ends) while it holds items it has not
 * acked. Its items come back to the others; a ledger shows every order acked, none lost.
 *
 * <p>Run alone: {@code java ... dev.baton.samples.QueueScenario [--connect host:port,...]
 * [--quick]}.
 */
public final class QueueScenario {

  private QueueScenario() {}

  public static void main(String[] args) throws Exception {
    try (SampleRun run = SampleRun.open("A work queue that loses nothing", args, System.out)) {
      run(run);
      System.exit(run.report() == 0 ? 0 : 1);
    }
  }

  static void run(SampleRun run) throws Exception {
    int orders = run.quick() ? 150 : 600;
    String path = "/queues/orders-" + System.nanoTime();
    QueueLedger ledger = new QueueLedger();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong refusedAcks = new AtomicLong();
    Baton doomedClient = run.client();
    ExecutorService pool = Executors.newCachedThreadPool();
    List<WorkQueue<String>> queues = new ArrayList<>();
    try {
      WorkQueue<String> producer = WorkQueue.create(run.client(), path, Codec.utf8());
      queues.add(producer);
      run.say("A producer puts %d orders; consumer-1 and consumer-2 take and ack them", orders);
      Future<?> producing =
          pool.submit(
              () -> {
                for (int i = 0; i < orders; i++) {
                  String order = "order-" + i;
                  ledger.produced(order);
                  producer.put(order, PutOptions.defaults());
                }
                return null;
              });
      for (int c = 1; c <= 2; c++) {
        WorkQueue<String> q = WorkQueue.create(run.client(), path, Codec.utf8());
        queues.add(q);
        String name = "consumer-" + c;
        pool.submit(() -> consume(q, name, ledger, stop, refusedAcks));
      }

      WorkQueue<String> doomed = WorkQueue.create(doomedClient, path, Codec.utf8());
      queues.add(doomed);
      List<Delivery<String>> held = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Delivery<String> d = doomed.take(Duration.ofSeconds(30));
        ledger.delivered(d.item(), "consumer-3");
        held.add(d);
      }
      run.say(
          "consumer-3 took %s ... and is killed before acking them",
          held.stream().map(Delivery::item).limit(3).toList());
      run.expire(doomedClient);

      producing.get();
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      long lastPrint = 0;
      while (!ledger.report().lost().isEmpty() && System.nanoTime() < deadline) {
        if (System.nanoTime() - lastPrint > 1_000_000_000L) {
          run.say("  acked %d of %d ...", ledger.report().acked(), orders);
          lastPrint = System.nanoTime();
        }
        Thread.sleep(50);
      }
      stop.set(true);
      try {
        held.get(0).ack();
        run.check("consumer-3's late ack is refused", false);
      } catch (HoldLostException e) {
        run.check("consumer-3's late ack is refused (its claim died with its session)", true);
      }
    } finally {
      stop.set(true);
      pool.shutdown();
      queues.forEach(WorkQueue::close);
      pool.shutdownNow();
    }
    QueueLedger.LedgerReport r = ledger.report();
    run.say("  ledger: %s", r.summary());
    run.check("every order was acked, none lost", r.lost().isEmpty() && r.produced() == orders);
    run.check("no order was acked twice or delivered after its ack", r.ok());
    run.check("consumer-3's 5 orders were delivered again", r.redeliveries() >= 5);
    run.count("queue items produced", r.produced());
    run.count("queue items lost", r.lost().size());
    run.count("queue items redelivered", r.redeliveries());
  }

  private static Void consume(
      WorkQueue<String> q,
      String name,
      QueueLedger ledger,
      AtomicBoolean stop,
      AtomicLong refusedAcks)
      throws InterruptedException {
    while (!stop.get()) {
      Optional<Delivery<String>> d = q.poll(Duration.ofMillis(200));
      if (d.isEmpty()) {
        continue;
      }
      ledger.delivered(d.get().item(), name);
      try {
        d.get().ack();
        ledger.acked(d.get().item(), name);
      } catch (HoldLostException e) {
        refusedAcks.incrementAndGet();
      }
    }
    return null;
  }
}
