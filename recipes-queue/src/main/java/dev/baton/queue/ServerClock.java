package dev.baton.queue;

import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import java.util.concurrent.CompletableFuture;

/**
 * The servers' clock as seen from here, so that a delayed item's due time (its creation time on the
 * server plus its delay) is judged by the same clock that stamped it, whatever this machine's or
 * the producer's clock says.
 *
 * <p>One write to the queue's root returns the server's {@code mtime}; the server stamped it
 * between our send and our receive, so it is taken to be the server's time at the midpoint, and
 * later readings add the monotonic time elapsed since. The error is at most half the round trip
 * (plus the servers' own clock differences, since the leader stamps writes).
 *
 * <p>Immutable.
 */
final class ServerClock {

  private final long serverMillisAtBase;
  private final long baseNanos;

  private ServerClock(long serverMillisAtBase, long baseNanos) {
    this.serverMillisAtBase = serverMillisAtBase;
    this.baseNanos = baseNanos;
  }

  static CompletableFuture<ServerClock> read(Session session, ZkPath root) {
    long sent = System.nanoTime();
    return session
        .setData(root, new byte[0], -1)
        .thenApply(
            stat -> {
              long received = System.nanoTime();
              return new ServerClock(stat.getMtime(), sent + (received - sent) / 2);
            });
  }

  /** The servers' current time in epoch milliseconds, estimated. */
  long nowMillis() {
    return serverMillisAtBase + (System.nanoTime() - baseNanos) / 1_000_000;
  }
}
