package dev.baton.core;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What every session of one {@link Baton} client shares: where its namespace starts on the server,
 * the ACL provider, the listener executor, the error handler, how long to wait for a lost
 * connection, and metrics.
 *
 * <p>Immutable.
 */
record ClientContext(
    String namespacePrefix,
    AclProvider acls,
    Executor listenerExecutor,
    ErrorHandler errors,
    Duration connectionTimeout,
    Metrics metrics) {

  /** The path on the server for a path as the client sees it. */
  String serverPath(ZkPath path) {
    if (namespacePrefix.isEmpty()) {
      return path.toString();
    }
    return path.isRoot() ? namespacePrefix : namespacePrefix + path;
  }

  /** The path as the client sees it for a path on the server (inside the namespace). */
  ZkPath clientPath(String serverPath) {
    if (namespacePrefix.isEmpty()) {
      return ZkPath.of(serverPath);
    }
    if (serverPath.equals(namespacePrefix)) {
      return ZkPath.root();
    }
    if (!serverPath.startsWith(namespacePrefix + "/")) {
      throw new IllegalStateException(
          "server path " + serverPath + " lies outside the namespace " + namespacePrefix);
    }
    return ZkPath.of(serverPath.substring(namespacePrefix.length()));
  }

  /** {@link #clientPath}, or empty for a server path outside the namespace. */
  Optional<ZkPath> clientPathIfInside(String serverPath) {
    if (namespacePrefix.isEmpty()
        || serverPath.equals(namespacePrefix)
        || serverPath.startsWith(namespacePrefix + "/")) {
      return Optional.of(clientPath(serverPath));
    }
    return Optional.empty();
  }
}
