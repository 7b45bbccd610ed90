package dev.baton.barrier;

import dev.baton.core.ZkPath;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer meters of one barrier: {@code baton.barrier.wait} (timer, tags {@code path}, {@code
 * kind}: barrier, enter, leave, latch, and {@code outcome}: passed, timeout, cancelled, failed),
 * the time from the call to the release or the failure.
 *
 * <p>Thread-safe (Micrometer meters are).
 */
final class MicrometerBarrierMetrics implements BarrierMetrics {

  private final MeterRegistry registry;
  private final String path;

  MicrometerBarrierMetrics(Object registry, ZkPath path) {
    this.registry = (MeterRegistry) registry;
    this.path = path.toString();
  }

  @Override
  public void waitEnded(String kind, String outcome, long waitedNanos) {
    Timer.builder("baton.barrier.wait")
        .description("time from a barrier wait's call to its release or failure")
        .tags("path", path, "kind", kind, "outcome", outcome)
        .register(registry)
        .record(waitedNanos, TimeUnit.NANOSECONDS);
  }
}
