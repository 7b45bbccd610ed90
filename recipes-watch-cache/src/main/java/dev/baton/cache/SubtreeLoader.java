package dev.baton.cache;

import dev.baton.core.NodeData;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.zookeeper.KeeperException;

/**
 * Reads a subtree: for each node getData first, then getChildren, then the children. Reading the
 * data (and so the {@code pzxid}) before listing is what lets {@link CacheState} tell a child that
 * was deleted from one created after the listing. The reads are pipelined on the session's one
 * connection; the result is not a point-in-time snapshot, and does not need to be: events that
 * arrive during the load are applied as usual and win by zxid.
 *
 * <p>Stateless.
 */
final class SubtreeLoader {

  private SubtreeLoader() {}

  /** The nodes found under (and including) {@code root}, down to {@code maxDepth} levels. */
  static CompletableFuture<Map<ZkPath, CachedNode>> load(Session s, ZkPath root, int maxDepth) {
    Map<ZkPath, CachedNode> out = new ConcurrentHashMap<>();
    return visit(s, root, 0, maxDepth, out).thenApply(v -> out);
  }

  private static CompletableFuture<Void> visit(
      Session s, ZkPath path, int depth, int maxDepth, Map<ZkPath, CachedNode> out) {
    return s.getData(path, Optional.empty())
        .thenCompose(
            data -> {
              if (data.isEmpty()) {
                return CompletableFuture.completedFuture(null);
              }
              out.put(path, node(path, data.get()));
              if (depth >= maxDepth || data.get().stat().getNumChildren() == 0) {
                return CompletableFuture.completedFuture(null);
              }
              return s.getChildren(path, Optional.empty())
                  .exceptionally(SubtreeLoader::noChildrenIfMissing)
                  .thenCompose(
                      children ->
                          CompletableFuture.allOf(
                              children.stream()
                                  .map(c -> visit(s, path.child(c), depth + 1, maxDepth, out))
                                  .toArray(CompletableFuture[]::new)));
            });
  }

  /** A cached node from a read. */
  static CachedNode node(ZkPath path, NodeData d) {
    var st = d.stat();
    return new CachedNode(
        path,
        Payload.of(d.data()),
        st.getCzxid(),
        st.getMzxid(),
        st.getPzxid(),
        st.getVersion(),
        st.getEphemeralOwner());
  }

  private static List<String> noChildrenIfMissing(Throwable error) {
    if (Blocking.unwrap(error) instanceof ZooKeeperOperationException z
        && z.code() == KeeperException.Code.NONODE) {
      return List.of(); // deleted since its getData; the deletion event removes it
    }
    throw error instanceof CompletionException c ? c : new CompletionException(error);
  }
}
