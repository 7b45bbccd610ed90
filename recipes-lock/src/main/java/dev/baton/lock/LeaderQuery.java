package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;

/**
 * Who leads an election as the servers show it: the participant id stored as the data of the first
 * contender node. The data is written by the create that enters the node in the line, so a granted
 * node always names its participant (no window where a leader is elected but not yet named).
 *
 * <p>The data is read with a read-only multi ({@code multiRead}, ZooKeeper 3.6+), because {@link
 * Session} offers no {@code getData}. If the first node is deleted between listing and reading, the
 * next one may lead now: list again.
 *
 * <p>Stateless between runs; thread-safe.
 */
final class LeaderQuery {

  private final Baton baton;
  private final ZkPath path;

  LeaderQuery(Baton baton, ZkPath path) {
    this.baton = baton;
    this.path = path;
  }

  CompletableFuture<Optional<String>> run() {
    return baton.sessionAsync().thenCompose(this::firstContender);
  }

  private CompletableFuture<Optional<String>> firstContender(Session s) {
    return s.getChildren(path, Optional.empty())
        .exceptionally(Futures::noChildrenIfMissing)
        .thenCompose(
            children -> {
              List<String> ordered = LockNodes.ordered(children);
              if (ordered.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<String>empty());
              }
              String first = s.serverPath(path.child(ordered.get(0)));
              return s.multi(List.of(Op.getData(first)))
                  .handle(
                      (results, error) -> {
                        if (error == null) {
                          return CompletableFuture.completedFuture(Optional.of(name(results)));
                        }
                        if (isNoNode(Futures.unwrap(error))) {
                          return firstContender(s); // handed over meanwhile: look again
                        }
                        return CompletableFuture.<Optional<String>>failedFuture(
                            Futures.unwrap(error));
                      })
                  .thenCompose(f -> f);
            });
  }

  /** The participant id; empty for a holder that entered through {@link DistributedLock}. */
  private static String name(List<OpResult> results) {
    if (results.get(0) instanceof OpResult.GetDataResult d) {
      return d.getData() == null ? "" : new String(d.getData(), StandardCharsets.UTF_8);
    }
    throw new IllegalStateException("unexpected reply to a getData: " + results.get(0));
  }

  private static boolean isNoNode(Throwable t) {
    return t instanceof ZooKeeperOperationException z && z.code() == KeeperException.Code.NONODE;
  }
}
