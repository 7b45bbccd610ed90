package dev.baton.samples;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.baton.cache.Invalidation;
import dev.baton.cache.InvalidationChannel;
import dev.baton.cache.InvalidationOptions;
import dev.baton.cache.InvalidationSubscription;
import dev.baton.core.Baton;
import dev.baton.core.ZkPath;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Caffeine cache kept honest by Baton's invalidation channel, with Micrometer wired in: a
 * service caches prices read from its database; another service changes a price and publishes the
 * key; every subscriber evicts it, so the next read loads the new price. After a disconnect the
 * channel says "drop everything" (keys may have been missed) and the cache is cleared. The meters
 * of the client, the channel and the cache go to one registry.
 *
 * <p>Run alone: {@code java ... dev.baton.samples.PriceCacheSample [--connect host:port,...]}.
 */
public final class PriceCacheSample {

  private PriceCacheSample() {}

  public static void main(String[] args) throws Exception {
    try (SampleRun run =
        SampleRun.open("A Caffeine cache invalidated through Baton", args, System.out)) {
      run(run);
      System.exit(run.report() == 0 ? 0 : 1);
    }
  }

  static void run(SampleRun run) throws Exception {
    Map<String, Integer> database = new ConcurrentHashMap<>(Map.of("apple", 100, "pear", 80));
    AtomicInteger loads = new AtomicInteger();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    // The reading service: a local cache in front of the database.
    LoadingCache<String, Integer> prices =
        Caffeine.newBuilder()
            .recordStats()
            .build(
                key -> {
                  loads.incrementAndGet();
                  return database.get(key);
                });
    CaffeineCacheMetrics.monitor(registry, prices, "prices");
    Baton reader = run.clientWithMetrics(registry);
    ZkPath channelPath = ZkPath.of("/invalidation/prices-" + System.nanoTime());
    InvalidationChannel channel =
        InvalidationChannel.create(reader, channelPath, InvalidationOptions.defaults());
    InvalidationSubscription subscription =
        channel.subscribe(
            event -> {
              if (event instanceof Invalidation.Key k) {
                run.say("    [reader] evict %s", k.key());
                prices.invalidate(k.key());
              } else if (event instanceof Invalidation.DropAll d) {
                run.say("    [reader] drop everything (%s)", d.reason());
                prices.invalidateAll();
              }
            });
    subscription.awaitReady(SampleRun.WAIT);

    run.say("The reader caches the price of apples: %d", prices.get("apple"));
    run.say("The pricing service changes it and publishes the key ...");
    database.put("apple", 120);
    InvalidationChannel writer =
        InvalidationChannel.create(run.client(), channelPath, InvalidationOptions.defaults());
    writer.publish("apple", SampleRun.WAIT);
    run.check(
        "the reader evicted the stale price and loads the new one",
        run.waitFor(() -> prices.getIfPresent("apple") == null) && prices.get("apple") == 120);
    run.check("one load per change, not per read", loads.get() == 2);
    prices.get("apple");
    prices.get("apple");
    run.check("repeat reads hit the cache", loads.get() == 2);

    run.say("Meters in the registry:");
    for (Meter m : registry.getMeters()) {
      String name = m.getId().getName();
      if (name.startsWith("cache.gets") || name.startsWith("baton.cache")) {
        m.measure()
            .forEach(ms -> run.say("    %s%s = %.0f", name, m.getId().getTags(), ms.getValue()));
      }
    }
    subscription.close();
  }
}
