package dev.baton.barrier;

import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Watcher;

/**
 * The reads a double barrier's waiters make. Each sets {@code watcher} on what it read, so the next
 * change reads again.
 *
 * <p>Stateless.
 */
final class RoundProbe {

  private RoundProbe() {}

  /**
   * For enter: true once the round is closed. Reads the durable close mark first (so a slow member
   * passes even after fast ones left); if it is still open and N or more members are present,
   * closes it with a compare-and-set from version 0 (losing that race means someone else closed
   * it).
   */
  static CompletableFuture<Optional<Boolean>> closed(
      Session s, ZkPath round, int participants, Watcher watcher) {
    return s.getData(round, Optional.of(watcher))
        .thenCompose(
            data -> {
              if (data.isEmpty()) {
                // Our own node lives under the round, so it cannot be deleted while we are in it;
                // if it is gone we are too, and our hold reports that.
                return CompletableFuture.completedFuture(Optional.<Boolean>empty());
              }
              if (Rounds.closed(data.get().stat().getVersion())) {
                return CompletableFuture.completedFuture(Optional.of(true));
              }
              return s.getChildren(round, Optional.of(watcher))
                  .thenCompose(
                      children ->
                          Rounds.members(children) >= participants
                              ? close(s, round)
                              : CompletableFuture.completedFuture(Optional.<Boolean>empty()));
            });
  }

  private static CompletableFuture<Optional<Boolean>> close(Session s, ZkPath round) {
    return s.setData(round, Entry.CLOSED, 0)
        .handle(
            (stat, error) -> {
              if (error == null) {
                deletePrevious(s, round);
                return Optional.of(true);
              }
              if (Futures.is(error, Code.BADVERSION)) {
                return Optional.of(true);
              }
              if (Futures.is(error, Code.NONODE)) {
                return Optional.<Boolean>empty();
              }
              throw Futures.wrap(error); // connection loss: the loop reads again once connected
            });
  }

  /**
   * Best effort, by the one member whose compare-and-set closed a round: deletes the round before
   * it if that is closed (version 1) and empty, so a path used for many rounds keeps one or two
   * round nodes. In the usual case it is empty by now: everyone who met in it has called leave
   * (they met again in this round). A member still waiting in its leave sees the round gone, which
   * needs it empty: it passes. If the delete fails (members from elsewhere still in it) the node
   * stays; it is harmless. The closed round stays: it is the highest, and keeping it keeps round
   * numbers from being reused.
   */
  private static void deletePrevious(Session s, ZkPath round) {
    long g = Rounds.round(round.name()).orElseThrow();
    if (g > 0) {
      ZkPath previous = round.parent().orElseThrow().child(Rounds.roundName(g - 1));
      s.delete(previous, 1).exceptionally(e -> null);
    }
  }

  /** For leave: true once the round has no members (or is gone, which needs it empty). */
  static CompletableFuture<Optional<Boolean>> empty(Session s, ZkPath round, Watcher watcher) {
    return s.getChildren(round, Optional.of(watcher))
        .handle(
            (children, error) -> {
              if (error == null) {
                return Rounds.members(children) == 0 ? Optional.of(true) : Optional.empty();
              }
              if (Futures.is(error, Code.NONODE)) {
                return Optional.of(true);
              }
              throw Futures.wrap(error);
            });
  }
}
