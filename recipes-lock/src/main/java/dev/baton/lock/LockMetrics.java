package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.Hold;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.ZkPath;
import java.util.concurrent.CompletableFuture;

/**
 * Meters of one lock, behind an interface so that Micrometer stays optional: the Micrometer
 * implementation is loaded only when the client was given a registry.
 *
 * <p>Implementations are thread-safe.
 */
interface LockMetrics {

  LockMetrics NOOP =
      new LockMetrics() {
        @Override
        public void acquireEnded(String outcome, long waitedNanos) {}

        @Override
        public void leaseEnded(long heldNanos, LossReason lossOrNull) {}
      };

  /** An acquire ended: {@code acquired}, {@code timeout}, {@code cancelled} or {@code failed}. */
  void acquireEnded(String outcome, long waitedNanos);

  /** A lease ended, released (reason null) or lost. */
  void leaseEnded(long heldNanos, LossReason lossOrNull);

  static LockMetrics of(Baton baton, ZkPath path, String kind) {
    return baton
        .meterRegistry()
        .<LockMetrics>map(r -> new MicrometerLockMetrics(r, path, kind))
        .orElse(NOOP);
  }

  /** Records the outcome of an acquire. */
  static <T> CompletableFuture<T> observe(LockMetrics metrics, CompletableFuture<T> acquire) {
    if (metrics == NOOP) {
      return acquire;
    }
    long start = System.nanoTime();
    acquire.whenComplete(
        (lease, error) ->
            metrics.acquireEnded(
                lease != null ? "acquired" : outcome(error), System.nanoTime() - start));
    return acquire;
  }

  /**
   * Records how long a lease is held. Called before the lease is handed out, so that no release can
   * come before the listener.
   */
  static void watchHold(LockMetrics metrics, Hold hold) {
    if (metrics == NOOP) {
      return;
    }
    long granted = System.nanoTime();
    hold.addListener(
        e -> {
          if (e.to() == HoldState.LOST || e.to() == HoldState.RELEASED) {
            metrics.leaseEnded(System.nanoTime() - granted, e.reason().orElse(null));
          }
        },
        Runnable::run);
  }

  private static String outcome(Throwable error) {
    Throwable t = error;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof dev.baton.core.BatonTimeoutException) {
      return "timeout";
    }
    return t instanceof java.util.concurrent.CancellationException ? "cancelled" : "failed";
  }
}
