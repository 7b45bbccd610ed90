package dev.baton.queue;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of a {@link WorkQueue}, validated when made.
 *
 * @param maxNodeBytes the largest item node a put may write: one item, or one {@code putAll} batch,
 *     encoded, plus a few bytes of framing. Must stay below the servers' {@code jute.maxbuffer} (1
 *     MiB by default, for the whole request), hence the default of 1,000,000 bytes.
 * @param bound the most item nodes the queue may hold (pending or being handled), or 0 for no
 *     bound. A {@code putAll} batch is one node.
 * @param putWait how long a put may wait for room in a full bounded queue; {@link Duration#ZERO}
 *     rejects at once with {@link dev.baton.core.BatonTimeoutException}.
 * @param metricsRegistry a Micrometer {@code MeterRegistry} to report to, or empty for the client's
 *     (see {@link dev.baton.core.Baton#meterRegistry()})
 */
public record QueueOptions(
    int maxNodeBytes, int bound, Duration putWait, Optional<Object> metricsRegistry) {

  /** The largest request ZooKeeper accepts by default ({@code jute.maxbuffer}). */
  public static final int JUTE_MAXBUFFER_DEFAULT = 0xfffff;

  public QueueOptions {
    if (maxNodeBytes < 64 || maxNodeBytes > JUTE_MAXBUFFER_DEFAULT - 16 * 1024) {
      throw new IllegalArgumentException(
          "maxNodeBytes must be between 64 and "
              + (JUTE_MAXBUFFER_DEFAULT - 16 * 1024)
              + " (below jute.maxbuffer), was "
              + maxNodeBytes);
    }
    if (bound < 0) {
      throw new IllegalArgumentException("bound must be 0 (none) or positive, was " + bound);
    }
    Objects.requireNonNull(putWait, "putWait");
    if (putWait.isNegative()) {
      throw new IllegalArgumentException("putWait must not be negative, was " + putWait);
    }
    Objects.requireNonNull(metricsRegistry, "metricsRegistry");
  }

  /** 1,000,000-byte nodes, no bound, no wait, the client's metrics registry. */
  public static QueueOptions defaults() {
    return new QueueOptions(1_000_000, 0, Duration.ZERO, Optional.empty());
  }

  public QueueOptions withMaxNodeBytes(int maxNodeBytes) {
    return new QueueOptions(maxNodeBytes, bound, putWait, metricsRegistry);
  }

  /**
   * A bounded queue: at most {@code bound} item nodes; a put into a full queue waits up to {@code
   * putWait} for room, then fails with {@link dev.baton.core.BatonTimeoutException} (zero: fails at
   * once).
   */
  public QueueOptions withBound(int bound, Duration putWait) {
    return new QueueOptions(maxNodeBytes, bound, putWait, metricsRegistry);
  }

  /**
   * Reports to this Micrometer {@code MeterRegistry} (typed Object so Micrometer stays optional).
   */
  public QueueOptions withMetricsRegistry(Object registry) {
    return new QueueOptions(maxNodeBytes, bound, putWait, Optional.of(registry));
  }
}
