package dev.baton.queue;

/**
 * Handles one item for a managed consumer. Returning normally acks the item; throwing makes the
 * consumer retry it with backoff and, after the configured attempts, dead-letter it with the
 * exception as the reason.
 *
 * @param <T> the item type
 */
@FunctionalInterface
public interface ItemHandler<T> {
  void handle(T item) throws Exception;
}
