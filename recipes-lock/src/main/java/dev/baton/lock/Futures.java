package dev.baton.lock;

import dev.baton.core.BatonTimeoutException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The blocking twins of the recipes' async calls, written once: wait, abandon on interrupt, rethrow
 * the cause unwrapped.
 *
 * <p>Stateless.
 */
final class Futures {

  /** A blocking call that may time out. */
  @FunctionalInterface
  interface Blocking<T> {
    T call() throws InterruptedException;
  }

  private Futures() {}

  /**
   * Waits for {@code f}. If interrupted, cancels it (the recipe then removes what it created) and
   * rethrows; a failure is rethrown as its unwrapped cause.
   */
  static <T> T await(CompletableFuture<T> f) throws InterruptedException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      throw asRuntime(e.getCause());
    }
  }

  /** The call's result, or empty when it timed out. */
  static <T> Optional<T> emptyOnTimeout(Blocking<T> call) throws InterruptedException {
    try {
      return Optional.of(call.call());
    } catch (BatonTimeoutException e) {
      return Optional.empty();
    }
  }

  /** Strips {@link CompletionException} wrappers. */
  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The unwrapped cause, as an unchecked exception. */
  static RuntimeException asRuntime(Throwable t) {
    Throwable u = unwrap(t);
    return u instanceof RuntimeException r ? r : new IllegalStateException(u);
  }
}
