package dev.baton.testkit;

import dev.baton.core.Baton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N real ZooKeeper 3.9.5 servers (N = 1, 3 or 5) forming a real quorum on 127.0.0.1, for tests. The
 * {@link Backend} decides where they run; the faults are the same verbs on every backend (where the
 * backend can suffer them).
 *
 * <pre>{@code
 * try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.builder().size(3).backend(Backend.PROCESS).start()) {
 *   int old = zk.killLeader();
 *   ...
 * }
 * }</pre>
 *
 * <p>Faults: {@link #stopServer}, {@link #startServer}, {@link #restartServer}, {@link
 * #killServer}, {@link #killLeader}, {@link #pauseServer}, {@link #resumeServer}, {@link
 * #expireSession} (ends a client's session on the server, as after a long partition), and {@link
 * #newProxy} / {@link ClientProxy#cutOffFor} to cut one client off from every server.
 *
 * <p>Servers run with a small tick (200 ms by default), {@code forceSync=no}, four-letter words
 * enabled, the admin server off, sessions allowed from 400 ms to 60 s. {@link #close()} stops every
 * server and removes every process, container, data folder, proxy and port reservation, also when a
 * start failed half way.
 *
 * <p>Thread-safe: fault verbs are serialised by a lock; queries may run concurrently with them.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ZooKeeperEnsemble.class);

  private final Backend backend;
  private final Duration tickTime;
  private final List<ServerSpec> specs;
  private final Path dataRoot;
  private final ServerBackend servers;
  private final ReentrantLock faults = new ReentrantLock();
  private final Set<Integer> paused = new HashSet<>();
  private final List<ClientProxy> proxies = new CopyOnWriteArrayList<>();
  private final List<Integer> ports;
  private final List<Integer> securePorts;
  private final EnsembleTls tls;
  private final InProcessSecurityGuard securityGuard;
  private final boolean requireDigestAuth;
  private volatile Duration startTime = Duration.ZERO;
  private volatile boolean closed;

  private ZooKeeperEnsemble(Builder b) throws IOException {
    this.backend = b.backend == null ? Backend.fromEnvironment() : b.backend;
    this.tickTime = b.tickTime;
    this.requireDigestAuth = b.requireDigestAuth;
    this.securityGuard =
        (b.tls || b.requireDigestAuth) && backend == Backend.IN_PROCESS
            ? InProcessSecurityGuard.acquire()
            : null;
    this.ports = Ports.reserve(3 * b.size);
    List<ServerSpec> s = new ArrayList<>();
    for (int i = 0; i < b.size; i++) {
      s.add(new ServerSpec(i + 1, ports.get(3 * i), ports.get(3 * i + 1), ports.get(3 * i + 2)));
    }
    this.specs = List.copyOf(s);
    this.securePorts = b.tls ? Ports.reserve(b.size) : List.of();
    this.dataRoot = Files.createTempDirectory("baton-zk-");
    try {
      this.tls = b.tls ? EnsembleTls.generate(dataRoot.resolve("tls"), securePorts) : null;
    } catch (RuntimeException e) {
      deleteRecursively(dataRoot);
      Ports.release(ports);
      Ports.release(securePorts);
      if (securityGuard != null) {
        securityGuard.release();
      }
      throw e;
    }
    String id =
        dataRoot.getFileName().toString() + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.servers =
        switch (backend) {
          case IN_PROCESS -> new InProcessServers();
          case PROCESS -> new ProcessServers(b.serverJvmOptions);
          case CONTAINERS -> new ContainerServers(id);
        };
  }

  /**
   * A builder: size 3, backend from the environment ({@link Backend#fromEnvironment()}), tick 200
   * ms.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts {@code size} servers on the backend chosen by the environment and waits for a quorum.
   */
  public static ZooKeeperEnsemble start(int size) {
    return builder().size(size).start();
  }

  // ---- what it is
  // ---------------------------------------------------------------------------------------------

  /** Number of servers. */
  public int size() {
    return specs.size();
  }

  /** Where the servers run. */
  public Backend backend() {
    return backend;
  }

  /** The ZooKeeper tick. */
  public Duration tickTime() {
    return tickTime;
  }

  /** {@code 127.0.0.1:p1,127.0.0.1:p2,...} of all servers. */
  public String connectString() {
    return String.join(",", specs.stream().map(ServerSpec::clientAddress).toList());
  }

  /** The client address of one server (1-based id). */
  public String connectString(int id) {
    return spec(id).clientAddress();
  }

  /** Client ports in server order. */
  public List<Integer> clientPorts() {
    return specs.stream().map(ServerSpec::clientPort).toList();
  }

  /** Every port the servers use (client, quorum, election, secure client), for leak checks. */
  public List<Integer> allPorts() {
    List<Integer> all = new ArrayList<>(ports);
    all.addAll(securePorts);
    return List.copyOf(all);
  }

  /**
   * The TLS material and client settings of an ensemble started with {@link Builder#tls()}; empty
   * for a plain ensemble.
   */
  public Optional<EnsembleTls> tls() {
    return Optional.ofNullable(tls);
  }

  /** The folder holding the servers' data (deleted by {@link #close()}). */
  public Path dataRoot() {
    return dataRoot;
  }

  /** How long {@link Builder#start()} took from launching the servers to a serving quorum. */
  public Duration startTime() {
    return startTime;
  }

  // ---- state
  // ----------------------------------------------------------------------------------------------------

  /**
   * The server's role from its {@code srvr} answer: {@code leader}, {@code follower}, {@code
   * observer}, or empty when it does not answer or serves no quorum ("This ZooKeeper instance is
   * not currently serving requests").
   */
  public Optional<String> mode(int id) {
    try {
      String answer =
          FourLetterWordMain.send4LetterWord(
              "127.0.0.1", spec(id).clientPort(), "srvr", false, 1000);
      for (String line : answer.split("\n")) {
        if (line.startsWith("Mode: ")) {
          return Optional.of(line.substring(6).trim());
        }
      }
      return Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** Whether the server answers as a leader or follower. */
  public boolean isServing(int id) {
    return mode(id).filter(m -> m.equals("leader") || m.equals("follower")).isPresent();
  }

  /** Whether the server's process, thread or container is up (paused servers count as up). */
  public boolean isRunning(int id) {
    return servers.isRunning(spec(id).id());
  }

  /** Waits until every running, unpaused server serves and exactly one of them leads. */
  public void awaitQuorum(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Integer> expected = new ArrayList<>();
      for (ServerSpec s : specs) {
        if (servers.isRunning(s.id()) && !isPaused(s.id())) {
          expected.add(s.id());
        }
      }
      long leaders = 0;
      boolean allServing = expected.size() > size() / 2;
      for (int id : expected) {
        Optional<String> m = mode(id);
        allServing &= m.isPresent() && (m.get().equals("leader") || m.get().equals("follower"));
        leaders += m.filter("leader"::equals).isPresent() ? 1 : 0;
      }
      if (allServing && leaders == 1) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no serving quorum within " + timeout.toMillis() + " ms; " + describeServers());
      }
      sleep(50);
    }
  }

  /** The id of the current leader, waiting up to 30 s for an election to finish. */
  public int leader() {
    awaitQuorum(Duration.ofSeconds(30));
    for (ServerSpec s : specs) {
      if (mode(s.id()).filter("leader"::equals).isPresent()) {
        return s.id();
      }
    }
    throw new IllegalStateException(
        "the leader stepped down while it was looked up; " + describeServers());
  }

  // ---- faults
  // ---------------------------------------------------------------------------------------------------

  /** Stops a server gracefully. */
  public void stopServer(int id) {
    withFaultLock(
        () -> {
          servers.stop(spec(id).id());
          paused.remove(id);
        });
  }

  /** Ends a server abruptly: SIGKILL for processes and containers, a shutdown in-process. */
  public void killServer(int id) {
    withFaultLock(
        () -> {
          servers.kill(spec(id).id());
          paused.remove(id);
        });
  }

  /** Starts a stopped or killed server with its old data and waits until it serves again. */
  public void startServer(int id) {
    withFaultLock(() -> launch(spec(id)));
    awaitQuorum(Duration.ofSeconds(60));
  }

  /** Stops and starts a server, waiting until it serves again. */
  public void restartServer(int id) {
    stopServer(id);
    startServer(id);
  }

  /** Finds the leader, kills it, and returns its id. The others elect a new leader on their own. */
  public int killLeader() {
    int leader = leader();
    killServer(leader);
    return leader;
  }

  /** Freezes a server (SIGSTOP or the engine's pause): it keeps its sockets but answers nothing. */
  public void pauseServer(int id) {
    withFaultLock(
        () -> {
          servers.pause(spec(id).id());
          paused.add(id);
        });
  }

  /** Resumes a paused server. */
  public void resumeServer(int id) {
    withFaultLock(
        () -> {
          servers.resume(spec(id).id());
          paused.remove(id);
        });
  }

  /** Whether {@link #pauseServer} was called for the server and {@link #resumeServer} was not. */
  public boolean isPaused(int id) {
    faults.lock();
    try {
      return paused.contains(id);
    } finally {
      faults.unlock();
    }
  }

  /**
   * Ends a session on the servers: a second client joins the session with its id and password and
   * closes it, so the servers end it and delete its ephemeral nodes at once, as after a partition
   * longer than the session timeout. The session's own client learns of it the next time it talks
   * to a server.
   */
  public void expireSession(long sessionId, byte[] password) {
    CountDownLatch joined = new CountDownLatch(1);
    Watcher watcher =
        event -> {
          if (event.getState() == Watcher.Event.KeeperState.SyncConnected
              || event.getState() == Watcher.Event.KeeperState.Expired) {
            joined.countDown();
          }
        };
    try {
      ZooKeeper twin = new ZooKeeper(connectString(), 10_000, watcher, sessionId, password);
      try {
        if (!joined.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "could not join session 0x"
                  + Long.toHexString(sessionId)
                  + " to expire it; "
                  + describeServers());
        }
      } finally {
        twin.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while expiring a session", e);
    }
  }

  /**
   * Ends the current session of a Baton client on the servers (see {@link #expireSession(long,
   * byte[])}).
   */
  public void expireSession(Baton client) {
    try {
      ZooKeeper zk = client.curator().getZookeeperClient().getZooKeeper();
      long id = zk.getSessionId();
      if (id == 0) {
        throw new IllegalStateException("the client has no session to expire (not connected)");
      }
      expireSession(id, zk.getSessionPasswd());
    } catch (IllegalStateException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("reading the client's session", e);
    }
  }

  /**
   * A loopback proxy in front of every server, for one client: connect the client to {@link
   * ClientProxy#connectString()} and cut it off from the whole ensemble with {@link
   * ClientProxy#cutOffFor}. Closed with the ensemble.
   */
  public ClientProxy newProxy() {
    ClientProxy p = ClientProxy.start(clientPorts());
    proxies.add(p);
    return p;
  }

  /** Stops everything and deletes the data; idempotent. */
  @Override
  public void close() {
    faults.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (ClientProxy p : proxies) {
        p.close();
      }
      try {
        servers.close();
      } finally {
        deleteRecursively(dataRoot);
        Ports.release(ports);
        Ports.release(securePorts);
        if (securityGuard != null) {
          securityGuard.release();
        }
      }
    } finally {
      faults.unlock();
    }
  }

  /** One line per server: id, ports, role, where to look. */
  public String describeServers() {
    StringBuilder b = new StringBuilder(backend.envName()).append(" ensemble:");
    for (ServerSpec s : specs) {
      b.append("\n  server ")
          .append(s.id())
          .append(" client ")
          .append(s.clientPort())
          .append(": ")
          .append(mode(s.id()).orElse("not serving"))
          .append(isPausedUnlocked(s.id()) ? " (paused)" : "")
          .append("; ")
          .append(servers.describe(s.id()));
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "ZooKeeperEnsemble[" + backend.envName() + ", " + connectString() + "]";
  }

  // ---- internals
  // --------------------------------------------------------------------------------------------------

  private void startAll(Duration timeout) {
    long t0 = System.nanoTime();
    for (ServerSpec s : specs) {
      launch(s);
    }
    awaitQuorum(timeout);
    startTime = Duration.ofNanos(System.nanoTime() - t0);
    log.info(
        "{} ensemble of {} serving after {} ms", backend.envName(), size(), startTime.toMillis());
  }

  private void launch(ServerSpec s) {
    if (closed) {
      throw new IllegalStateException("ensemble is closed");
    }
    if (servers.isRunning(s.id())) {
      return;
    }
    Path dir = dataRoot.resolve("server-" + s.id());
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("myid"), Integer.toString(s.id()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    servers.start(s, config(s, dir), dir);
  }

  String config(ServerSpec s, Path dataDir) {
    StringBuilder c = new StringBuilder();
    c.append("tickTime=").append(tickTime.toMillis()).append('\n');
    c.append("initLimit=50\nsyncLimit=15\n");
    c.append("dataDir=").append(dataDir).append('\n');
    c.append("clientPort=").append(s.clientPort()).append('\n');
    c.append("clientPortAddress=127.0.0.1\n");
    c.append("maxClientCnxns=0\n");
    c.append("admin.enableServer=false\n");
    c.append("4lw.commands.whitelist=*\n");
    c.append("standaloneEnabled=false\nreconfigEnabled=false\n");
    c.append("forceSync=no\n");
    c.append("cnxTimeout=1000\n");
    c.append("minSessionTimeout=400\nmaxSessionTimeout=60000\n");
    if (tls != null) {
      c.append(tls.serverConfig(securePorts.get(s.id() - 1)));
    }
    if (requireDigestAuth) {
      c.append("enforce.auth.enabled=true\nenforce.auth.schemes=digest\n");
    }
    for (ServerSpec other : specs) {
      c.append(other.serverLine()).append('\n');
    }
    return c.toString();
  }

  private ServerSpec spec(int id) {
    if (id < 1 || id > specs.size()) {
      throw new IllegalArgumentException(
          "no server " + id + " in an ensemble of " + specs.size() + " (ids are 1-based)");
    }
    return specs.get(id - 1);
  }

  private boolean isPausedUnlocked(int id) {
    return paused.contains(id);
  }

  private void withFaultLock(Runnable r) {
    faults.lock();
    try {
      if (closed) {
        throw new IllegalStateException("ensemble is closed");
      }
      r.run();
    } finally {
      faults.unlock();
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.warn("could not delete {}", root, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the ensemble", e);
    }
  }

  /** Settings of an ensemble. Not thread-safe. */
  public static final class Builder {
    private int size = 3;
    private Backend backend;
    private Duration tickTime = Duration.ofMillis(200);
    private Duration startTimeout = Duration.ofSeconds(90);
    private List<String> serverJvmOptions = List.of("-Xmx256m", "-XX:+UseSerialGC");
    private boolean tls;
    private boolean requireDigestAuth;

    private Builder() {}

    /** 1, 3 or 5 servers. */
    public Builder size(int size) {
      if (size != 1 && size != 3 && size != 5) {
        throw new IllegalArgumentException("ensemble size must be 1, 3 or 5, not " + size);
      }
      this.size = size;
      return this;
    }

    /** Where the servers run (default: {@link Backend#fromEnvironment()}). */
    public Builder backend(Backend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * ZooKeeper's tick (session timeouts are clamped to 2-20 ticks unless set otherwise; here 400
     * ms to 60 s).
     */
    public Builder tickTime(Duration tick) {
      if (tick.toMillis() < 10 || tick.toMillis() > 2000) {
        throw new IllegalArgumentException("tick time must be 10 ms to 2 s, not " + tick);
      }
      this.tickTime = tick;
      return this;
    }

    /** How long {@link #start()} waits for a serving quorum. */
    public Builder startTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("start timeout must be positive, not " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    /** JVM options of server processes (process and containers backends). */
    public Builder serverJvmOptions(List<String> options) {
      this.serverJvmOptions = List.copyOf(options);
      return this;
    }

    /**
     * Adds a TLS client port to every server, with key pairs generated for this ensemble and client
     * certificates required; see {@link EnsembleTls}. In-process and process backends only: when no
     * backend was chosen and the environment says containers, a TLS ensemble runs on the process
     * backend. One in-process TLS ensemble per JVM at a time (server TLS settings are JVM-wide
     * system properties there).
     */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /**
     * Makes the servers refuse every request of a client that has not authenticated with digest
     * auth ({@code enforce.auth.enabled=true}, {@code enforce.auth.schemes=digest}, ZooKeeper
     * 3.7+): an anonymous client's first request fails and its connection is closed. Four-letter
     * words still answer. One in-process secured ensemble per JVM at a time (see {@link #tls()}).
     */
    public Builder requireDigestAuth() {
      this.requireDigestAuth = true;
      return this;
    }

    /**
     * Starts the servers and waits for a serving quorum; on failure nothing is left running.
     *
     * @throws UnsupportedOperationException for {@link #tls()} on the containers backend chosen
     *     explicitly
     */
    public ZooKeeperEnsemble start() {
      if (tls && backend == null && Backend.fromEnvironment() == Backend.CONTAINERS) {
        // The environment's default cannot do TLS: run this ensemble as child processes, so a TLS
        // test still runs (against real servers) where CI chose containers for the rest.
        backend = Backend.PROCESS;
      }
      if (tls && backend == Backend.CONTAINERS) {
        throw new UnsupportedOperationException(
            "the containers backend does not support TLS ensembles (the generated key stores are"
                + " not copied into the containers): use Backend.IN_PROCESS or Backend.PROCESS");
      }
      ZooKeeperEnsemble e;
      try {
        e = new ZooKeeperEnsemble(this);
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      try {
        e.startAll(startTimeout);
        return e;
      } catch (RuntimeException | Error ex) {
        try {
          e.close();
        } catch (RuntimeException closeFailure) {
          ex.addSuppressed(closeFailure);
        }
        throw ex;
      }
    }
  }
}
