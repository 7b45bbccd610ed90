package dev.baton.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Micrometer meters of one cache, tagged {@code kind} (tree, node, config, invalidation) and {@code
 * path}:
 *
 * <ul>
 *   <li>{@code baton.cache.events} (counter, tag {@code type}): events emitted to listeners;
 *   <li>{@code baton.cache.resyncs} (counter, tag {@code reason}): resyncs after a reconnect or a
 *       new session;
 *   <li>{@code baton.cache.rejected} (counter): config writes that failed to decode or validate.
 * </ul>
 *
 * <p>Thread-safe (Micrometer meters are).
 */
final class MicrometerCacheMetrics implements CacheMetrics {

  private final MeterRegistry registry;
  private final String kind;
  private final String path;

  MicrometerCacheMetrics(Object registry, String kind, String path) {
    this.registry = (MeterRegistry) registry;
    this.kind = kind;
    this.path = path;
  }

  @Override
  public void events(String type, int count) {
    Counter.builder("baton.cache.events")
        .description("events emitted to cache listeners")
        .tags("kind", kind, "path", path, "type", type)
        .register(registry)
        .increment(count);
  }

  @Override
  public void resync(String reason) {
    Counter.builder("baton.cache.resyncs")
        .description("resyncs against the servers after a reconnect or a new session")
        .tags("kind", kind, "path", path, "reason", reason)
        .register(registry)
        .increment();
  }

  @Override
  public void rejected() {
    Counter.builder("baton.cache.rejected")
        .description("config writes that failed to decode or validate")
        .tags("kind", kind, "path", path)
        .register(registry)
        .increment();
  }
}
