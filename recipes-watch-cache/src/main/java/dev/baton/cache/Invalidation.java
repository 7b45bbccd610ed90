package dev.baton.cache;

import dev.baton.cache.CacheEvent.ResyncReason;
import java.util.Objects;

/** What an {@link InvalidationChannel} subscriber is told. */
public sealed interface Invalidation {

  /**
   * One publish: evict {@code key}.
   *
   * @param key the key published
   * @param sequence the publish's position on the channel (increases per publish)
   */
  record Key(String key, long sequence) implements Invalidation {
    /** Checks the component. */
    public Key {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * The subscriber was disconnected or got a new session, so it may have missed publishes: evict
   * everything. Sent once the channel is watched again, so every publish after it is delivered as a
   * {@link Key}.
   *
   * @param reason why
   */
  record DropAll(ResyncReason reason) implements Invalidation {
    /** Checks the component. */
    public DropAll {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
