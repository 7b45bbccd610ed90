package dev.baton.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * How a managed consumer ({@link WorkQueue#consume}) runs its handler, validated when made.
 *
 * @param concurrency handler threads, 1..256
 * @param maxAttempts handler attempts per delivery before the item is dead-lettered, 1..100
 * @param initialBackoff wait before the second attempt; each later wait doubles, up to {@code
 *     maxBackoff}
 * @param maxBackoff the longest wait between attempts
 * @param shutdownTimeout how long {@link QueueConsumer#close()} lets in-flight handlers finish
 *     before it interrupts them and releases their items for redelivery
 */
public record ConsumerOptions(
    int concurrency,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration shutdownTimeout) {

  public ConsumerOptions {
    if (concurrency < 1 || concurrency > 256) {
      throw new IllegalArgumentException("concurrency must be 1..256, was " + concurrency);
    }
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new IllegalArgumentException("maxAttempts must be 1..100, was " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    if (initialBackoff.isNegative() || initialBackoff.isZero()) {
      throw new IllegalArgumentException("initialBackoff must be positive, was " + initialBackoff);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff " + maxBackoff + " is shorter than initialBackoff " + initialBackoff);
    }
    if (shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "shutdownTimeout must not be negative, was " + shutdownTimeout);
    }
  }

  /** 1 thread, 3 attempts, backoff 100 ms doubling up to 5 s, 30 s to shut down. */
  public static ConsumerOptions defaults() {
    return new ConsumerOptions(
        1, 3, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  public ConsumerOptions withConcurrency(int concurrency) {
    return new ConsumerOptions(
        concurrency, maxAttempts, initialBackoff, maxBackoff, shutdownTimeout);
  }

  public ConsumerOptions withMaxAttempts(int maxAttempts) {
    return new ConsumerOptions(
        concurrency, maxAttempts, initialBackoff, maxBackoff, shutdownTimeout);
  }

  public ConsumerOptions withBackoff(Duration initial, Duration max) {
    return new ConsumerOptions(concurrency, maxAttempts, initial, max, shutdownTimeout);
  }

  public ConsumerOptions withShutdownTimeout(Duration shutdownTimeout) {
    return new ConsumerOptions(
        concurrency, maxAttempts, initialBackoff, maxBackoff, shutdownTimeout);
  }
}
