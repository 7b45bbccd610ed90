package dev.baton.cache;

import dev.baton.core.Baton;

/**
 * Meters of one cache, behind an interface so that Micrometer stays optional: the Micrometer
 * implementation is loaded only when the client was given a registry.
 *
 * <p>Implementations are thread-safe.
 */
interface CacheMetrics {

  CacheMetrics NOOP =
      new CacheMetrics() {
        @Override
        public void events(String type, int count) {}

        @Override
        public void resync(String reason) {}

        @Override
        public void rejected() {}
      };

  /** Counts events emitted to listeners, by type (added, changed, removed...). */
  void events(String type, int count);

  /** Counts a resync, by reason. */
  void resync(String reason);

  /** Counts a rejected config write. */
  void rejected();

  static CacheMetrics of(Baton baton, String kind, String path) {
    return baton
        .meterRegistry()
        .<CacheMetrics>map(r -> new MicrometerCacheMetrics(r, kind, path))
        .orElse(NOOP);
  }
}
