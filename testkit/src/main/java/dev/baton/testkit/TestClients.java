package dev.baton.testkit;

import dev.baton.core.Baton;
import dev.baton.core.ZkPath;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Connects Baton clients for one test: each client has its own session, its namespace is the test's
 * chroot, and all are closed after the test. Injected by {@link WithZooKeeper}; usable without it.
 *
 * <p>Thread-safe.
 */
public final class TestClients implements AutoCloseable {

  private final ZooKeeperEnsemble ensemble;
  private final ZkPath chroot;
  private final Duration sessionTimeout;
  private final Duration connectionTimeout;
  private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();

  /**
   * @param chroot every client's namespace; created on first connect if missing
   */
  public TestClients(
      ZooKeeperEnsemble ensemble,
      ZkPath chroot,
      Duration sessionTimeout,
      Duration connectionTimeout) {
    this.ensemble = ensemble;
    this.chroot = chroot;
    this.sessionTimeout = sessionTimeout;
    this.connectionTimeout = connectionTimeout;
  }

  /** The test's chroot on the servers. */
  public ZkPath chroot() {
    return chroot;
  }

  /** The ensemble. */
  public ZooKeeperEnsemble ensemble() {
    return ensemble;
  }

  /** A client connected straight to the servers. */
  public Baton connect() {
    return connect(ensemble.connectString());
  }

  /**
   * A client connected through its own new proxy, returned with it so that the test can cut it off.
   */
  public ProxiedClient connectThroughNewProxy() {
    ClientProxy proxy = ensemble.newProxy();
    owned.add(proxy);
    return new ProxiedClient(connect(proxy.connectString()), proxy);
  }

  /** A client connected through {@code proxy}. */
  public Baton connectThrough(ClientProxy proxy) {
    return connect(proxy.connectString());
  }

  /** A client and the proxy it goes through. */
  public record ProxiedClient(Baton client, ClientProxy proxy) {}

  private Baton connect(String connectString) {
    Baton b =
        Baton.builder(connectString)
            .namespace(chroot.toString())
            .sessionTimeout(sessionTimeout)
            .connectionTimeout(connectionTimeout)
            .build();
    owned.add(b);
    return b;
  }

  /** Closes every client (and proxy) made here, newest first. */
  @Override
  public void close() {
    RuntimeException failure = null;
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing test clients failed", e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    owned.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
