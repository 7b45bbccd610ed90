package dev.baton.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * How an item is placed in a {@link WorkQueue}, validated when made.
 *
 * @param priority 0 (lowest) to 9 (highest); higher-priority items are delivered first, FIFO within
 *     a priority
 * @param delay how long after the item's creation, by the servers' clock, it becomes due; zero for
 *     at once. At most 365 days.
 */
public record PutOptions(int priority, Duration delay) {

  /** The priority of {@link #defaults()}. */
  public static final int DEFAULT_PRIORITY = 5;

  public PutOptions {
    if (priority < 0 || priority > 9) {
      throw new IllegalArgumentException("priority must be 0..9, was " + priority);
    }
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative() || delay.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException("delay must be 0..365 days, was " + delay);
    }
  }

  /** Priority 5, no delay. */
  public static PutOptions defaults() {
    return new PutOptions(DEFAULT_PRIORITY, Duration.ZERO);
  }

  public PutOptions withPriority(int priority) {
    return new PutOptions(priority, delay);
  }

  public PutOptions withDelay(Duration delay) {
    return new PutOptions(priority, delay);
  }
}
