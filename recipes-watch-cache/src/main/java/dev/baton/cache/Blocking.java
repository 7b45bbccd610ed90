package dev.baton.cache;

import dev.baton.core.BatonTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The blocking twins of the module's async calls, written once.
 *
 * <p>Stateless.
 */
final class Blocking {

  private Blocking() {}

  /**
   * Waits for {@code f} at most {@code timeout}; the failure's cause is rethrown unwrapped.
   *
   * @throws BatonTimeoutException naming {@code what} when the time is up
   */
  static <T> T await(CompletableFuture<T> f, Duration timeout, String what)
      throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    try {
      return f.copy().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new BatonTimeoutException(what, timeout);
    } catch (ExecutionException e) {
      throw asRuntime(e.getCause());
    }
  }

  /** Strips {@link CompletionException} wrappers. */
  static Throwable unwrap(Throwable t) {
    return dev.baton.core.internal.Futures.unwrap(t);
  }

  /** The unwrapped cause, as an unchecked exception. */
  static RuntimeException asRuntime(Throwable t) {
    return dev.baton.core.internal.Futures.asRuntime(t);
  }
}
