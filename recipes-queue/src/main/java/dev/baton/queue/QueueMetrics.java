package dev.baton.queue;

import dev.baton.core.ZkPath;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Meters of one queue, behind an interface so that Micrometer stays optional: the Micrometer
 * implementation is loaded only when a registry was given.
 *
 * <p>Implementations are thread-safe.
 */
interface QueueMetrics {

  QueueMetrics NOOP =
      new QueueMetrics() {
        @Override
        public void put(long nanos, int items) {}

        @Override
        public void taken(long nanos) {}

        @Override
        public void acked() {}

        @Override
        public void redelivered() {}

        @Override
        public void deadLettered() {}
      };

  /** A put of {@code items} items (one node) completed. */
  void put(long nanos, int items);

  /** A take/poll returned an item after waiting {@code nanos}. */
  void taken(long nanos);

  void acked();

  void redelivered();

  void deadLettered();

  static QueueMetrics of(
      Optional<Object> registry, ZkPath path, IntSupplier depth, IntSupplier inFlight) {
    return registry
        .<QueueMetrics>map(r -> new MicrometerQueueMetrics(r, path, depth, inFlight))
        .orElse(NOOP);
  }
}
