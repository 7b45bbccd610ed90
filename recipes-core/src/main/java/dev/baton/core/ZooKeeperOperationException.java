package dev.baton.core;

import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;

/**
 * The server refused an operation for a reason other than session, connection or rights: no such
 * node, node exists, bad version, not empty, and so on. {@link #code()} tells which, {@link
 * #path()} where.
 */
public final class ZooKeeperOperationException extends BatonException {

  private final KeeperException.Code code;
  private final ZkPath path;

  public ZooKeeperOperationException(String detail, ZkPath path, KeeperException cause) {
    super(detail + ": " + cause.code(), cause);
    this.code = cause.code();
    this.path = path;
  }

  /** ZooKeeper's result code. */
  public KeeperException.Code code() {
    return code;
  }

  /**
   * For a failed multi-op, the result of each op in order: the op that failed carries its error
   * code ({@link org.apache.zookeeper.OpResult.ErrorResult}); empty for other operations.
   */
  public List<OpResult> multiResults() {
    List<OpResult> r = getCause() instanceof KeeperException k ? k.getResults() : null;
    return r == null ? List.of() : r;
  }

  /** The path the operation named, when it named one (a multi-op may not). */
  public Optional<ZkPath> path() {
    return Optional.ofNullable(path);
  }
}
