package dev.baton.queue;

import java.util.Optional;

/**
 * An item that was moved to the queue's dead-letter area, with why.
 *
 * @param id the dead-letter node's name
 * @param itemId the id the item had in the queue (as returned by {@link WorkQueue#put})
 * @param reason the last failure (exception class and message, or the codec's complaint)
 * @param attempts handler attempts made in the delivery that gave up (0 when it could not be
 *     decoded)
 * @param item the item, or empty if it cannot be decoded
 * @param size the item's encoded size in bytes
 * @param <T> the item type
 */
public record DeadLetter<T>(
    String id, String itemId, String reason, int attempts, Optional<T> item, int size) {}
