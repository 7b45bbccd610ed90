package dev.baton.queue;

import dev.baton.core.ZkPath;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Micrometer meters of one queue, tagged {@code path}: {@code baton.queue.depth} (gauge: item nodes
 * in this consumer's view), {@code baton.queue.inflight} (gauge: deliveries held here), {@code
 * baton.queue.put} and {@code baton.queue.take} (timers), {@code baton.queue.items.put}, {@code
 * baton.queue.acked}, {@code baton.queue.redelivered}, {@code baton.queue.deadlettered} (counters).
 *
 * <p>Thread-safe (Micrometer meters are).
 */
final class MicrometerQueueMetrics implements QueueMetrics {

  private final Timer put;
  private final Timer take;
  private final Counter itemsPut;
  private final Counter acked;
  private final Counter redelivered;
  private final Counter deadLettered;

  MicrometerQueueMetrics(Object registry, ZkPath path, IntSupplier depth, IntSupplier inFlight) {
    MeterRegistry r = (MeterRegistry) registry;
    String p = path.toString();
    Gauge.builder("baton.queue.depth", depth, IntSupplier::getAsInt)
        .description("item nodes in the queue, as this consumer's view sees them")
        .tag("path", p)
        .register(r);
    Gauge.builder("baton.queue.inflight", inFlight, IntSupplier::getAsInt)
        .description("deliveries taken here and not yet settled")
        .tag("path", p)
        .register(r);
    put = Timer.builder("baton.queue.put").tag("path", p).register(r);
    take = Timer.builder("baton.queue.take").tag("path", p).register(r);
    itemsPut = Counter.builder("baton.queue.items.put").tag("path", p).register(r);
    acked = Counter.builder("baton.queue.acked").tag("path", p).register(r);
    redelivered = Counter.builder("baton.queue.redelivered").tag("path", p).register(r);
    deadLettered = Counter.builder("baton.queue.deadlettered").tag("path", p).register(r);
  }

  @Override
  public void put(long nanos, int items) {
    put.record(nanos, TimeUnit.NANOSECONDS);
    itemsPut.increment(items);
  }

  @Override
  public void taken(long nanos) {
    take.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void acked() {
    acked.increment();
  }

  @Override
  public void redelivered() {
    redelivered.increment();
  }

  @Override
  public void deadLettered() {
    deadLettered.increment();
  }
}
