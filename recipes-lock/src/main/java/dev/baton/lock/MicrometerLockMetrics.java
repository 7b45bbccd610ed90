package dev.baton.lock;

import dev.baton.core.LossReason;
import dev.baton.core.ZkPath;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters of one lock, tagged {@code path} and {@code kind} (lock, read, write):
 *
 * <ul>
 *   <li>{@code baton.lock.acquire} (timer, tag {@code outcome}: acquired, timeout, cancelled,
 *       failed): time from the call to the grant or the failure; its count per outcome gives
 *       acquisitions and timeouts;
 *   <li>{@code baton.lock.held} (timer): time from grant to release or loss;
 *   <li>{@code baton.lock.lost} (counter, tag {@code reason}): leases lost.
 * </ul>
 *
 * <p>Thread-safe (Micrometer meters are).
 */
final class MicrometerLockMetrics implements LockMetrics {

  private final MeterRegistry registry;
  private final String path;
  private final String kind;
  private final Timer held;

  MicrometerLockMetrics(Object registry, ZkPath path, String kind) {
    this.registry = (MeterRegistry) registry;
    this.path = path.toString();
    this.kind = kind;
    this.held =
        Timer.builder("baton.lock.held")
            .description("time a lease was held, from grant to release or loss")
            .tags("path", this.path, "kind", kind)
            .register(this.registry);
  }

  @Override
  public void acquireEnded(String outcome, long waitedNanos) {
    Timer.builder("baton.lock.acquire")
        .description("time from acquire to grant or failure")
        .tags("path", path, "kind", kind, "outcome", outcome)
        .register(registry)
        .record(waitedNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void leaseEnded(long heldNanos, LossReason lossOrNull) {
    held.record(heldNanos, TimeUnit.NANOSECONDS);
    if (lossOrNull != null) {
      Counter.builder("baton.lock.lost")
          .description("leases lost")
          .tags("path", path, "kind", kind, "reason", lossOrNull.name())
          .register(registry)
          .increment();
    }
  }
}
