package dev.baton.barrier;

import dev.baton.core.Baton;
import dev.baton.core.ConnectionLossException;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runs an idempotent operation until it succeeds, fails for a reason other than the connection or
 * the session, or {@code until} completes (the caller's timeout): after a connection loss again in
 * the same session once it is connected, after a session loss again in the next session. Only for
 * operations that may be applied twice with the effect of once (creating a node of a fixed name
 * with NODEEXISTS as success, deleting with NONODE as success, reads).
 *
 * <p>Stateless.
 */
final class Idempotent {

  private Idempotent() {}

  static <T> CompletableFuture<T> run(
      Baton baton, CompletableFuture<?> until, Function<Session, CompletableFuture<T>> op) {
    return baton.sessionAsync().thenCompose(s -> inSession(baton, s, until, op));
  }

  private static <T> CompletableFuture<T> inSession(
      Baton baton,
      Session s,
      CompletableFuture<?> until,
      Function<Session, CompletableFuture<T>> op) {
    return op.apply(s)
        .handle(
            (v, e) -> {
              if (e == null) {
                return CompletableFuture.completedFuture(v);
              }
              Throwable t = Futures.unwrap(e);
              if (until.isDone()) {
                return CompletableFuture.<T>failedFuture(t);
              }
              if (t instanceof SessionLostException) {
                return run(baton, until, op);
              }
              if (t instanceof ConnectionLossException) {
                return s.whenConnected()
                    .handle(
                        (c, lost) ->
                            lost == null ? inSession(baton, s, until, op) : run(baton, until, op))
                    .thenCompose(Function.identity());
              }
              return CompletableFuture.<T>failedFuture(t);
            })
        .thenCompose(Function.identity());
  }
}
