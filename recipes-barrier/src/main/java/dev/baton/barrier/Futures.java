package dev.baton.barrier;

import dev.baton.core.ZooKeeperOperationException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.zookeeper.KeeperException;

/**
 * The blocking twins of the async calls, written once, and small helpers for failures.
 *
 * <p>Stateless.
 */
final class Futures {

  private Futures() {}

  /**
   * Waits for {@code f}. If interrupted, cancels it (the recipe then removes what it created) and
   * rethrows; a failure is rethrown as its unwrapped cause.
   */
  static <T> T await(CompletableFuture<T> f) throws InterruptedException {
    return dev.baton.core.internal.Futures.await(f);
  }

  /**
   * {@code inner} mapped by {@code f}; cancelling (or otherwise completing) the result early also
   * cancels {@code inner}, so that an abandoned wait stops reading.
   */
  static <T, U> CompletableFuture<U> linked(
      CompletableFuture<T> inner, java.util.function.Function<T, U> f) {
    CompletableFuture<U> outer = inner.thenApply(f);
    outer.whenComplete((v, e) -> inner.cancel(false)); // no effect once inner is done
    return outer;
  }

  /** Strips {@link CompletionException} wrappers. */
  static Throwable unwrap(Throwable t) {
    return dev.baton.core.internal.Futures.unwrap(t);
  }

  /** The unwrapped cause, as an unchecked exception. */
  static RuntimeException asRuntime(Throwable t) {
    return dev.baton.core.internal.Futures.asRuntime(t);
  }

  /** Whether {@code t} is the server's refusal with {@code code}. */
  static boolean is(Throwable t, KeeperException.Code code) {
    return unwrap(t) instanceof ZooKeeperOperationException z && z.code() == code;
  }

  /** A completion exception for {@code t}, for rethrowing inside a stage. */
  static CompletionException wrap(Throwable t) {
    return t instanceof CompletionException c ? c : new CompletionException(t);
  }

  /**
   * Rejects a null or negative timeout before anything is written.
   *
   * @throws IllegalArgumentException naming the value
   */
  static Duration checkTimeout(Duration timeout) {
    if (timeout == null) {
      throw new IllegalArgumentException("timeout must not be null");
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
    return timeout;
  }
}
