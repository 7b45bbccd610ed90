package dev.baton.benchmarks;

import dev.baton.core.Baton;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ensemble a run measures on, and the clients of one round: every client opened through it is
 * closed by {@link #closeRound()} (newest first). Both libraries get the same settings: session
 * timeout 15 s, connection timeout 10 s, bounded exponential backoff 100 ms to 2 s.
 *
 * <p>Thread-safe: clients may be opened from any thread.
 */
final class Env implements AutoCloseable {

  static final Duration LONG = Duration.ofMinutes(5);
  private static final int SESSION_MS = 15_000;

  private final String connectString;
  private final Config config;
  private final Deque<AutoCloseable> open = new ConcurrentLinkedDeque<>();
  private volatile ZooKeeper admin;

  Env(String connectString, Config config) throws IOException, InterruptedException {
    this.connectString = connectString;
    this.config = config;
    this.admin = rawClient(connectString);
  }

  String connectString() {
    return connectString;
  }

  Config config() {
    return config;
  }

  /** The first server of the connect string, for a counting proxy. */
  String firstServer() {
    return connectString.split(",")[0].split("/")[0];
  }

  /** A client of {@code system} (Baton or Curator) with its own session, connected. */
  Object client(Sys system) throws InterruptedException {
    return client(system, connectString);
  }

  Object client(Sys system, String cs) throws InterruptedException {
    return switch (system) {
      case BATON -> baton(cs);
      case CURATOR -> curator(cs);
      case ZOOKEEPER -> throw new IllegalArgumentException("use zooKeeper() for the plain client");
    };
  }

  /** A Baton client with its own session, connected. */
  Baton baton() throws InterruptedException {
    return baton(connectString);
  }

  Baton baton(String cs) throws InterruptedException {
    Baton b =
        Baton.builder(cs)
            .sessionTimeout(Duration.ofMillis(SESSION_MS))
            .connectionTimeout(Duration.ofSeconds(10))
            .build();
    open.push(b);
    b.awaitSession(Duration.ofSeconds(30));
    return b;
  }

  /** A Curator client with its own session, connected. */
  CuratorFramework curator() throws InterruptedException {
    return curator(connectString);
  }

  CuratorFramework curator(String cs) throws InterruptedException {
    CuratorFramework c =
        CuratorFrameworkFactory.builder()
            .connectString(cs)
            .sessionTimeoutMs(SESSION_MS)
            .connectionTimeoutMs(10_000)
            .retryPolicy(new BoundedExponentialBackoffRetry(100, 2000, 10))
            .build();
    open.push(c);
    c.start();
    if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("Curator could not connect to " + cs);
    }
    return c;
  }

  /** A plain ZooKeeper client with its own session, connected. */
  ZooKeeper zooKeeper() throws IOException, InterruptedException {
    ZooKeeper z = rawClient(connectString);
    open.push(z::close);
    return z;
  }

  /** Registers something for {@link #closeRound()}. */
  void closeAtEndOfRound(AutoCloseable c) {
    open.push(c);
  }

  /** Creates {@code path} and its parents as persistent nodes if missing. */
  void ensurePath(String path) throws KeeperException, InterruptedException {
    StringBuilder p = new StringBuilder();
    for (String part : path.substring(1).split("/")) {
      p.append('/').append(part);
      try {
        admin.create(p.toString(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      } catch (KeeperException.NodeExistsException e) {
        // there already: fine
      }
    }
  }

  /**
   * Number of children of {@code path} now (0 if it does not exist). The polling client gets a new
   * session if its own expired (long GC pauses of a heavily loaded benchmark JVM can do that).
   */
  int children(String path) throws KeeperException, InterruptedException {
    try {
      return admin.getChildren(path, false).size();
    } catch (KeeperException.NoNodeException e) {
      return 0;
    } catch (KeeperException.SessionExpiredException e) {
      ZooKeeper old = admin;
      try {
        admin = rawClient(connectString);
      } catch (IOException io) {
        throw new IllegalStateException("cannot reconnect the polling client", io);
      }
      old.close();
      return children(path);
    }
  }

  /** Polls until {@code path} has at least {@code n} children. */
  void awaitChildren(String path, int n, Duration timeout)
      throws KeeperException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (children(path) < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            path + " has " + children(path) + " children, expected " + n + " within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  /** Closes the clients of the round, newest first; failures are reported, not thrown. */
  void closeRound() {
    List<Exception> failures = new ArrayList<>();
    AutoCloseable c;
    while ((c = open.poll()) != null) {
      try {
        c.close();
      } catch (Exception e) {
        failures.add(e);
      }
    }
    failures.forEach(e -> System.err.println("closing a client failed: " + e));
  }

  @Override
  public void close() {
    closeRound();
    try {
      admin.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static ZooKeeper rawClient(String cs) throws IOException, InterruptedException {
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper z =
        new ZooKeeper(
            cs,
            SESSION_MS,
            e -> {
              if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
              }
            });
    if (!connected.await(30, TimeUnit.SECONDS)) {
      z.close();
      throw new IOException("ZooKeeper client could not connect to " + cs);
    }
    return z;
  }
}
