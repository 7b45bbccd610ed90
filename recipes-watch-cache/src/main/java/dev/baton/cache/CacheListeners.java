package dev.baton.cache;

import dev.baton.cache.CacheEvent.Initialized;
import dev.baton.core.Baton;
import dev.baton.core.ZkPath;
import dev.baton.core.internal.SerialExecutor;
import java.util.List;
import java.util.Locale;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listeners of one cache, each with its own {@link SerialExecutor} over the client's listener
 * executor: one event at a time per listener, in the order the cache emitted them; what a listener
 * throws goes to the client's error handler and does not reach the others.
 *
 * <p>Thread-safe: a copy-on-write list; {@link #emit} is called from the cache's single lane, so
 * the order of enqueueing is the order of events.
 */
final class CacheListeners {

  private record Slot(CacheListener listener, SerialExecutor executor) {}

  private final Baton baton;
  private final String name;
  private final CacheMetrics metrics;
  private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();

  CacheListeners(Baton baton, String name, CacheMetrics metrics) {
    this.baton = baton;
    this.name = name;
    this.metrics = metrics;
  }

  /** Adds a listener; if the cache is initialized, it first gets the contents as Initialized. */
  void add(CacheListener listener, Optional<NavigableMap<ZkPath, CachedNode>> initialized) {
    SerialExecutor executor =
        new SerialExecutor(
            baton.listenerExecutor(), t -> baton.errorHandler().handle("listener of " + name, t));
    slots.add(new Slot(listener, executor));
    initialized.ifPresent(
        snapshot -> executor.execute(() -> listener.onEvent(new Initialized(snapshot))));
  }

  void remove(CacheListener listener) {
    slots.removeIf(s -> s.listener() == listener);
  }

  void clear() {
    slots.clear();
  }

  /** Hands the events to every listener, in order, without running any of them here. */
  void emit(List<CacheEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    for (CacheEvent e : events) {
      metrics.events(e.getClass().getSimpleName().toLowerCase(Locale.ROOT), 1);
    }
    for (Slot slot : slots) {
      for (CacheEvent e : events) {
        slot.executor().enqueue(() -> slot.listener().onEvent(e));
      }
      slot.executor().drain();
    }
  }
}
