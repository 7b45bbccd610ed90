package dev.baton.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The blocking twins of the recipes' async calls, written once: wait, abandon on interrupt, rethrow
 * the cause unwrapped.
 *
 * <p>Stateless. Not part of Baton's public API (an {@code internal} package).
 */
public final class Futures {

  private Futures() {}

  /**
   * Waits for {@code f}. If interrupted, cancels it and rethrows; a failure is rethrown as its
   * unwrapped cause.
   */
  public static <T> T await(CompletableFuture<T> f) throws InterruptedException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      throw asRuntime(e.getCause());
    }
  }

  /** Strips {@link CompletionException} and {@link ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The unwrapped cause, as an unchecked exception. */
  public static RuntimeException asRuntime(Throwable t) {
    Throwable u = unwrap(t);
    return u instanceof RuntimeException r ? r : new IllegalStateException(u);
  }
}
