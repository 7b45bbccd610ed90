package dev.baton.cache;

/**
 * Receives a cache's events, one at a time and in order, on the client's listener executor. What it
 * throws goes to the client's error handler; later events still arrive.
 */
@FunctionalInterface
public interface CacheListener {

  /** Handles one event. Should not block for long: later events wait for it. */
  void onEvent(CacheEvent event);
}
