package dev.baton.barrier;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.ZkPath;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * Wait-time meters of one barrier, behind an interface so that Micrometer stays optional: the
 * Micrometer implementation is loaded only when the client was given a registry.
 *
 * <p>Implementations are thread-safe.
 */
interface BarrierMetrics {

  BarrierMetrics NOOP = (kind, outcome, waitedNanos) -> {};

  /**
   * A wait ended.
   *
   * @param kind {@code barrier}, {@code enter}, {@code leave} or {@code latch}
   * @param outcome {@code passed}, {@code timeout}, {@code cancelled} or {@code failed}
   */
  void waitEnded(String kind, String outcome, long waitedNanos);

  static BarrierMetrics of(Baton baton, ZkPath path) {
    return baton
        .meterRegistry()
        .<BarrierMetrics>map(r -> new MicrometerBarrierMetrics(r, path))
        .orElse(NOOP);
  }

  /** Records how long {@code wait} took and how it ended. */
  static <T> CompletableFuture<T> observe(
      BarrierMetrics metrics, String kind, CompletableFuture<T> wait) {
    if (metrics == NOOP) {
      return wait;
    }
    long start = System.nanoTime();
    wait.whenComplete(
        (v, error) ->
            metrics.waitEnded(
                kind, error == null ? "passed" : outcome(error), System.nanoTime() - start));
    return wait;
  }

  private static String outcome(Throwable error) {
    Throwable t = Futures.unwrap(error);
    if (t instanceof BatonTimeoutException) {
      return "timeout";
    }
    return t instanceof CancellationException ? "cancelled" : "failed";
  }
}
