package dev.baton.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.AuthInfo;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;

/**
 * The Baton client: one per process, shared by every recipe. It owns (or borrows) a Curator
 * connection and turns its connection states into {@link Session sessions} and {@link Hold holds}
 * with a clear loss model.
 *
 * <pre>{@code
 * try (Baton baton = Baton.connect("zk1:2181,zk2:2181,zk3:2181")) {
 *   Session session = baton.awaitSession(Duration.ofSeconds(10));
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #connect} and {@link #builder} create and own a Curator connection; {@link #wrap}
 * borrows one the caller owns and never closes it. {@link #close()} releases everything Baton
 * created: its holds (LOST with {@link LossReason#CLIENT_CLOSED}), the nodes behind them when the
 * connection is borrowed, its listener threads, and the connection when it owns it.
 *
 * <p>An owned connection uses ZooKeeper's Netty client: it reports a dropped connection within a
 * few milliseconds, where the default NIO client first sleeps 100 ms, so holds turn UNCERTAIN that
 * much sooner. It adds one daemon thread per client, gone about 2 s after {@link #close()}.
 *
 * <p>Thread-safe. Lifecycle: an enum moved by CAS.
 */
public final class Baton implements AutoCloseable {

  private enum Lifecycle {
    OPEN,
    CLOSED
  }

  private static final AtomicInteger CLIENTS = new AtomicInteger();
  static final String NETTY_SOCKET = "org.apache.zookeeper.ClientCnxnSocketNetty";

  private final CuratorFramework curator;
  private final boolean ownsCurator;
  private final String name;
  private final ClientContext ctx;
  private final SessionTracker tracker;
  private final ExecutorService ownedExecutor;
  private final Object meterRegistry;
  private final AtomicReference<Lifecycle> lifecycle = new AtomicReference<>(Lifecycle.OPEN);

  private Baton(CuratorFramework curator, boolean ownsCurator, String name, Builder b) {
    this.curator = curator;
    this.ownsCurator = ownsCurator;
    this.name = name;
    Executor executor = b.listenerExecutor;
    if (executor == null) {
      ownedExecutor = Executors.newCachedThreadPool(daemonThreads(name + "-events"));
      executor = ownedExecutor;
    } else {
      ownedExecutor = null;
    }
    this.meterRegistry = b.meterRegistry;
    Metrics metrics =
        b.meterRegistry == null ? Metrics.NOOP : new MicrometerMetrics(b.meterRegistry, name);
    String ns = curator.getNamespace();
    this.ctx =
        new ClientContext(
            ns == null || ns.isEmpty() ? "" : "/" + ns,
            b.acls,
            executor,
            b.errors,
            b.connectionTimeout,
            metrics);
    this.tracker = new SessionTracker(curator, ctx);
    curator.getConnectionStateListenable().addListener(tracker);
    tracker.attach();
  }

  /**
   * Connects to {@code connectString} with default settings (see {@link Builder}). Does not wait
   * for the connection.
   */
  public static Baton connect(String connectString) {
    return builder(connectString).build();
  }

  /** Starts a builder for a client that owns its connection. */
  public static Builder builder(String connectString) {
    return new Builder(connectString);
  }

  /**
   * Attaches Baton to a started {@link CuratorFramework} the caller owns. Baton uses its namespace,
   * connection and retry settings, and never closes it; {@link #close()} detaches and deletes the
   * nodes of Baton's live holds.
   *
   * @throws IllegalStateException if the framework is not started
   */
  public static Baton wrap(CuratorFramework curator) {
    return wrap(curator, new Builder("(borrowed)"));
  }

  /**
   * Like {@link #wrap(CuratorFramework)}, taking ACL, executor, error handler and metrics from
   * {@code options}.
   */
  public static Baton wrap(CuratorFramework curator, Builder options) {
    Objects.requireNonNull(curator, "curator");
    if (curator.getState() != CuratorFrameworkState.STARTED) {
      throw new IllegalStateException(
          "cannot wrap a CuratorFramework in state " + curator.getState() + ": start it first");
    }
    return new Baton(curator, false, "baton-" + CLIENTS.incrementAndGet(), options);
  }

  /**
   * The current session, if one is established and not over (it may be suspended). Never blocks.
   */
  public Optional<Session> currentSession() {
    checkOpen();
    return tracker.current();
  }

  /** The current session, or the next one once it is established. Blocks no thread. */
  public CompletableFuture<Session> sessionAsync() {
    checkOpen();
    return tracker.currentOrNext();
  }

  /**
   * Waits for a session.
   *
   * @throws BatonTimeoutException if none is established within {@code timeout}
   * @throws InterruptedException if interrupted while waiting (the flag is restored by the caller's
   *     catch, as usual)
   */
  public Session awaitSession(Duration timeout) throws InterruptedException {
    checkTimeout(timeout);
    try {
      return sessionAsync().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new BatonTimeoutException("waiting for a ZooKeeper session", timeout);
    } catch (ExecutionException e) {
      Throwable cause = SessionCalls.unwrap(e.getCause());
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("waiting for a ZooKeeper session failed", cause);
    }
  }

  /**
   * The Curator connection underneath (for what Baton does not offer). Do not close it if Baton
   * owns it.
   */
  public CuratorFramework curator() {
    return curator;
  }

  /**
   * The namespace (chroot) all paths are relative to, as a path on the server; the root if none.
   */
  public ZkPath namespace() {
    return ctx.namespacePrefix().isEmpty() ? ZkPath.root() : ZkPath.of(ctx.namespacePrefix());
  }

  /** The ACL provider for nodes Baton creates. */
  public AclProvider aclProvider() {
    return ctx.acls();
  }

  /** Where listeners run unless a recipe is given its own executor. */
  public Executor listenerExecutor() {
    return ctx.listenerExecutor();
  }

  /** Where failures of listeners and background work go. */
  public ErrorHandler errorHandler() {
    return ctx.errors();
  }

  /** How long an operation waits for a lost connection to come back before failing. */
  public Duration connectionTimeout() {
    return ctx.connectionTimeout();
  }

  /**
   * The Micrometer registry given to the builder, if any, typed as {@code Object} so that
   * Micrometer stays optional; cast to {@code io.micrometer.core.instrument.MeterRegistry}.
   */
  public Optional<Object> meterRegistry() {
    return Optional.ofNullable(meterRegistry);
  }

  /**
   * This client's name in the JVM ({@code baton-N}): the prefix of every thread it starts and the
   * {@code client} tag of its meters.
   */
  public String name() {
    return name;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return lifecycle.get() == Lifecycle.CLOSED;
  }

  /** Releases everything this client created; idempotent. See the class comment. */
  @Override
  public void close() {
    if (!lifecycle.compareAndSet(Lifecycle.OPEN, Lifecycle.CLOSED)) {
      return;
    }
    curator.getConnectionStateListenable().removeListener(tracker);
    tracker.close(!ownsCurator);
    if (ownsCurator) {
      curator.close();
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
      try {
        if (!ownedExecutor.awaitTermination(2, TimeUnit.SECONDS)) {
          ownedExecutor.shutdownNow();
        }
      } catch (InterruptedException e) {
        ownedExecutor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private void checkOpen() {
    if (lifecycle.get() == Lifecycle.CLOSED) {
      throw new IllegalStateException("Baton client is closed");
    }
  }

  static void checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    }
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Settings of a Baton client. Every setter validates at once and names the bad value; nothing is
   * silently corrected. Not thread-safe (confined to the thread that builds).
   *
   * <p>Defaults: session timeout 15 s, connection timeout 10 s, bounded exponential backoff retry
   * (100 ms to 2 s, 10 retries) for Curator's own operations, no namespace, open ACL, no auth,
   * plain TCP, no metrics, listener threads owned by the client, errors logged.
   */
  public static final class Builder {
    private final String connectString;
    private Duration sessionTimeout = Duration.ofSeconds(15);
    private Duration connectionTimeout = Duration.ofSeconds(10);
    private RetryPolicy retryPolicy = new BoundedExponentialBackoffRetry(100, 2000, 10);
    private String namespace;
    private AclProvider acls = AclProvider.open();
    private final List<AuthInfo> auth = new ArrayList<>();
    private TlsSettings tls;
    private Object meterRegistry;
    private Executor listenerExecutor;
    private ErrorHandler errors = ErrorHandler.logging();

    private Builder(String connectString) {
      if (connectString == null || connectString.isBlank()) {
        throw new IllegalArgumentException("connect string must not be empty");
      }
      this.connectString = connectString;
    }

    /** How long the server keeps the session alive without hearing from the client. */
    public Builder sessionTimeout(Duration timeout) {
      this.sessionTimeout = positive("session timeout", timeout);
      return this;
    }

    /**
     * How long to wait for a connection (first connect, and lost connections during operations).
     */
    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = positive("connection timeout", timeout);
      return this;
    }

    /**
     * Curator's retry policy for Curator's own operations (Baton's session-bound operations never
     * cross sessions).
     */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
      return this;
    }

    /**
     * Makes every path relative to {@code namespace} on the server (a chroot), for example {@code
     * "/apps/billing"} or {@code "apps/billing"}.
     */
    public Builder namespace(String namespace) {
      Objects.requireNonNull(namespace, "namespace");
      ZkPath p = ZkPath.of(namespace.startsWith("/") ? namespace : "/" + namespace);
      if (p.isRoot()) {
        throw new IllegalArgumentException(
            "namespace '" + namespace + "' is the root; omit it instead");
      }
      this.namespace = p.toString().substring(1);
      return this;
    }

    /** ACLs of nodes Baton creates (default {@link AclProvider#open()}). */
    public Builder aclProvider(AclProvider provider) {
      this.acls = Objects.requireNonNull(provider, "aclProvider");
      return this;
    }

    /**
     * Adds auth info sent on every connection, for example {@code ("digest",
     * "user:secret".getBytes(UTF_8))}.
     */
    public Builder authorization(String scheme, byte[] auth) {
      if (scheme == null || scheme.isBlank()) {
        throw new IllegalArgumentException("auth scheme must not be empty");
      }
      this.auth.add(new AuthInfo(scheme, Objects.requireNonNull(auth, "auth").clone()));
      return this;
    }

    /**
     * Creator-only nodes with digest authentication, in one line: sends {@code digest
     * user:password} on every connection and sets {@link AclProvider#creatorAll()}. Every node
     * Baton creates is then usable only by clients authenticated as the same {@code user} with the
     * same password (the digest identity, not the session, is the "creator"), so clients sharing a
     * lock or queue share these credentials.
     *
     * @throws IllegalArgumentException if {@code user} is empty or contains {@code ':'}, or {@code
     *     password} is empty
     */
    public Builder digestAuth(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.isEmpty() || user.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "digest user must be non-empty and contain no ':', was '" + user + "'");
      }
      if (password.isEmpty()) {
        throw new IllegalArgumentException("digest password of user '" + user + "' is empty");
      }
      authorization("digest", (user + ":" + password).getBytes(StandardCharsets.UTF_8));
      return aclProvider(AclProvider.creatorAll());
    }

    /** Connects over TLS. */
    public Builder tls(TlsSettings settings) {
      this.tls = Objects.requireNonNull(settings, "tls");
      return this;
    }

    /**
     * Publishes Baton's meters to a Micrometer {@code MeterRegistry} (typed {@code Object} so that
     * Micrometer stays an optional dependency).
     *
     * @throws IllegalArgumentException if it is not a {@code
     *     io.micrometer.core.instrument.MeterRegistry}
     */
    public Builder meterRegistry(Object registry) {
      Objects.requireNonNull(registry, "registry");
      try {
        Class<?> type = Class.forName("io.micrometer.core.instrument.MeterRegistry");
        if (!type.isInstance(registry)) {
          throw new IllegalArgumentException(
              "meter registry must be a Micrometer MeterRegistry, got "
                  + registry.getClass().getName());
        }
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("Micrometer is not on the class path", e);
      }
      this.meterRegistry = registry;
      return this;
    }

    /**
     * Runs listeners on {@code executor} (which the caller owns) instead of the client's own daemon
     * threads.
     */
    public Builder listenerExecutor(Executor executor) {
      this.listenerExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Where failures of listeners and background work go (default: logged at WARN). */
    public Builder errorHandler(ErrorHandler handler) {
      this.errors = Objects.requireNonNull(handler, "errorHandler");
      return this;
    }

    /** Creates the client and starts connecting; does not wait for the connection. */
    public Baton build() {
      CuratorFrameworkFactory.Builder cb =
          CuratorFrameworkFactory.builder()
              .connectString(connectString)
              .sessionTimeoutMs(Math.toIntExact(sessionTimeout.toMillis()))
              .connectionTimeoutMs(Math.toIntExact(connectionTimeout.toMillis()))
              .retryPolicy(retryPolicy)
              .aclProvider(curatorAcls(acls));
      if (namespace != null) {
        cb.namespace(namespace);
      }
      if (!auth.isEmpty()) {
        cb.authorization(List.copyOf(auth));
      }
      cb.zkClientConfig(tls != null ? tlsConfig(tls) : nettyConfig());
      String name = "baton-" + CLIENTS.incrementAndGet();
      cb.threadFactory(daemonThreads(name + "-curator"));
      CuratorFramework curator = cb.build();
      curator.start();
      return new Baton(curator, true, name, this);
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(what + " must be positive and below 24 days: " + d);
      }
      return d;
    }

    private static ACLProvider curatorAcls(AclProvider acls) {
      return new ACLProvider() {
        @Override
        public List<ACL> getDefaultAcl() {
          return acls.aclFor(ZkPath.root());
        }

        @Override
        public List<ACL> getAclForPath(String path) {
          return acls.aclFor(ZkPath.of(path));
        }
      };
    }

    /**
     * ZooKeeper's Netty client, not its default NIO one: NIO sleeps 100 ms in its cleanup before it
     * reports a dropped connection (measured here 101-113 ms from a reset to Disconnected, Netty
     * 2-14 ms), and every hold learns it is UNCERTAIN that much later. Costs one daemon event-loop
     * thread per client, which ends about 2 s after close (Netty's quiet period).
     */
    private static ZKClientConfig nettyConfig() {
      ZKClientConfig c = new ZKClientConfig();
      c.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, NETTY_SOCKET);
      return c;
    }

    private static ZKClientConfig tlsConfig(TlsSettings tls) {
      ZKClientConfig c = nettyConfig();
      c.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
      c.setProperty("zookeeper.ssl.trustStore.location", tls.trustStore().toString());
      c.setProperty("zookeeper.ssl.trustStore.password", tls.trustStorePassword());
      // Set even without a key store: an empty location means "no client certificate", whatever
      // zookeeper.ssl.* system properties the JVM has (an in-process server sets some).
      c.setProperty(
          "zookeeper.ssl.keyStore.location", tls.keyStore().map(Path::toString).orElse(""));
      c.setProperty("zookeeper.ssl.keyStore.password", tls.keyStorePassword());
      c.setProperty(
          "zookeeper.ssl.hostnameVerification", Boolean.toString(tls.hostnameVerification()));
      return c;
    }
  }
}
