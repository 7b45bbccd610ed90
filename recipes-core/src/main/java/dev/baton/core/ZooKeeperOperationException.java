package dev.baton.core;

import java.util.Optional;
import org.apache.zookeeper.KeeperException;

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

  /** The path the operation named, when it named one (a multi-op may not). */
  public Optional<ZkPath> path() {
    return Optional.ofNullable(path);
  }
}
