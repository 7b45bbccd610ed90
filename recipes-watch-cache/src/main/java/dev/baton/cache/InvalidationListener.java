package dev.baton.cache;

/**
 * Receives an {@link InvalidationChannel}'s signals, one at a time and in publish order, on the
 * client's listener executor. What it throws goes to the client's error handler.
 */
@FunctionalInterface
public interface InvalidationListener {

  /** Handles one signal (typically: evict the key, or everything). */
  void onInvalidation(Invalidation signal);
}
