package dev.baton.cache;

import java.util.Optional;

/**
 * Told when a {@link ConfigSubscription}'s value in force changes: a new good value, or the node
 * was deleted (current empty). Rejected values never reach it. Runs on the client's listener
 * executor, one call at a time in order.
 *
 * @param <T> the value type
 */
@FunctionalInterface
public interface ConfigListener<T> {

  /**
   * @param previous the value in force before, empty if there was none
   * @param current the value in force now, empty if the node is gone
   */
  void changed(Optional<ConfigValue<T>> previous, Optional<ConfigValue<T>> current);
}
