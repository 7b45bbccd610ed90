package dev.baton.lock;

import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ZooKeeperOperationException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.zookeeper.KeeperException;

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
    return dev.baton.core.internal.Futures.await(f);
  }

  /** The call's result, or empty when it timed out. */
  static <T> Optional<T> emptyOnTimeout(Blocking<T> call) throws InterruptedException {
    try {
      return Optional.of(call.call());
    } catch (BatonTimeoutException e) {
      return Optional.empty();
    }
  }

  /**
   * For {@code exceptionally} after a getChildren: a recipe node that was never created (or whose
   * container parent the servers removed) has no children; any other failure passes through.
   */
  static List<String> noChildrenIfMissing(Throwable error) {
    if (unwrap(error) instanceof ZooKeeperOperationException z
        && z.code() == KeeperException.Code.NONODE) {
      return List.of();
    }
    throw error instanceof CompletionException c ? c : new CompletionException(error);
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
