package dev.baton.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP proxy between one ZooKeeper client and all servers of an ensemble, so that a test
 * can cut that client off from the whole ensemble and heal it again. Give the client {@link
 * #connectString()} instead of the ensemble's.
 *
 * <p>Each server gets its own listener on {@code 127.0.0.1} (OS-chosen port), which forwards every
 * accepted connection to {@code 127.0.0.1:serverPort}. While cut off, or when that server is down,
 * an accepted connection is aborted at once with a TCP reset, so the client sees {@code Connection
 * reset} (or end of stream) and moves on. {@link #cutOff} aborts the forwarded connections the same
 * way; a connection that ends normally (either peer closes) is closed with a FIN on the other side.
 * {@link #partition} is the silent kind of cut: connections stay open and every byte is dropped, so
 * neither side learns anything until its own timeout fires.
 *
 * <p>Threads (daemon, named {@code baton-proxy-<listenPort>-...}): one acceptor per listener, two
 * pumps per forwarded connection, and one scheduler thread for {@link #cutOffFor}.
 *
 * <p>Thread-safe: state changes are serialised on the proxy's monitor; acceptors and pumps only
 * read a volatile flag and a concurrent set of links.
 */
public final class ClientProxy implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ClientProxy.class);
  private static final InetAddress LOOPBACK = loopback();
  private static final int CONNECT_TIMEOUT_MS = 2_000;
  private static final long CLOSE_JOIN_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final List<ProxyListener> listeners;
  private final Set<ProxyLink> links = ConcurrentHashMap.newKeySet();
  private final AtomicLong linkIds = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refusedWhileCutOff = new AtomicLong();
  private final ScheduledThreadPoolExecutor scheduler =
      new ScheduledThreadPoolExecutor(1, this::newSchedulerThread);
  private final List<Thread> schedulerThreads = new CopyOnWriteArrayList<>();
  private volatile boolean cutOff;
  private volatile boolean partitioned;
  private boolean closed; // guarded by this
  private ScheduledFuture<?> pendingHeal; // guarded by this
  private long healEpoch; // guarded by this; bumped whenever the pending heal is superseded

  private ClientProxy(List<ServerSocket> sockets, List<Integer> serverPorts) {
    List<ProxyListener> list = new ArrayList<>();
    for (int i = 0; i < sockets.size(); i++) {
      list.add(new ProxyListener(sockets.get(i), serverPorts.get(i), this::forward));
    }
    listeners = List.copyOf(list);
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /**
   * Starts a proxy with one listener per server, in the given order.
   *
   * @param serverPorts client ports of the ensemble's servers on 127.0.0.1; a server may be down
   * @throws IllegalArgumentException if the list is empty or holds a port outside 1..65535
   * @throws UncheckedIOException if a listener cannot be bound
   */
  public static ClientProxy start(List<Integer> serverPorts) {
    if (serverPorts.isEmpty()) {
      throw new IllegalArgumentException("serverPorts is empty");
    }
    for (Integer port : serverPorts) {
      if (port == null || port < 1 || port > 65_535) {
        throw new IllegalArgumentException("not a server port: " + port + " in " + serverPorts);
      }
    }
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < serverPorts.size(); i++) {
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(LOOPBACK, 0));
      }
    } catch (IOException e) {
      sockets.forEach(ProxyListener::closeQuietly);
      throw new UncheckedIOException("cannot bind a proxy listener on 127.0.0.1", e);
    }
    ClientProxy proxy = new ClientProxy(sockets, serverPorts);
    proxy.listeners.forEach(ProxyListener::start);
    LOG.debug("proxy {} forwarding to servers {}", proxy.connectString(), serverPorts);
    return proxy;
  }

  /** The proxy's listeners as a ZooKeeper connect string, {@code 127.0.0.1:p1,...}, in order. */
  public String connectString() {
    return listeners.stream().map(l -> "127.0.0.1:" + l.port()).collect(Collectors.joining(","));
  }

  /**
   * The listening port that forwards to server {@code serverIndex} (0-based, in the order given to
   * {@link #start}).
   */
  public int proxyPort(int serverIndex) {
    return listeners.get(serverIndex).port();
  }

  /**
   * Cuts the client off from the whole ensemble: aborts every forwarded connection now (TCP reset
   * on both sides) and aborts new ones as soon as they are accepted, until {@link #heal}. Cancels a
   * pending automatic heal from {@link #cutOffFor}. Idempotent; ignored after {@link #close}.
   */
  public synchronized void cutOff() {
    if (closed) {
      return;
    }
    cancelPendingHeal();
    cutOffNow();
  }

  /**
   * Cuts the client off now, as {@link #cutOff}, and heals by itself after {@code duration} unless
   * {@link #cutOff}, {@link #heal} or another {@code cutOffFor} comes first (a later call replaces
   * this one's automatic heal). Ignored after {@link #close}.
   *
   * @throws IllegalArgumentException if {@code duration} is zero or negative
   */
  public synchronized void cutOffFor(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException("cut-off duration must be positive: " + duration);
    }
    if (closed) {
      return;
    }
    cancelPendingHeal();
    cutOffNow();
    long epoch = healEpoch;
    pendingHeal =
        scheduler.schedule(
            () -> autoHeal(epoch, duration), duration.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Partitions the client from the whole ensemble silently, as a network that drops packets: every
   * connection stays open (no reset, no FIN), every byte either side sends is dropped, and new
   * connections are accepted and silenced too, until {@link #heal}. The client learns of it only by
   * its read timeout (about two thirds of its session timeout, when no ping answer comes); the
   * servers only by the session timeout. Idempotent; ignored after {@link #close}.
   */
  public synchronized void partition() {
    if (closed) {
      return;
    }
    if (!partitioned) {
      partitioned = true;
      LOG.debug("proxy {} partitioned, silencing {} connection(s)", connectString(), links.size());
    }
  }

  /**
   * Lets connections through again and cancels a pending automatic heal. Connections aborted by a
   * cut-off stay closed; connections silenced by a {@link #partition} are aborted now, since bytes
   * were dropped from their streams; the client reconnects either way. Idempotent; ignored after
   * {@link #close}.
   */
  public synchronized void heal() {
    if (closed) {
      return;
    }
    cancelPendingHeal();
    if (partitioned) {
      for (ProxyLink link : new ArrayList<>(links)) {
        link.close(true);
      }
      partitioned = false;
      LOG.debug("proxy {} partition healed", connectString());
    }
    if (cutOff) {
      cutOff = false;
      LOG.debug("proxy {} healed", connectString());
    }
  }

  /** Whether the client is currently cut off. */
  public boolean isCutOff() {
    return cutOff;
  }

  /** Whether the client is currently partitioned ({@link #partition}). */
  public boolean isPartitioned() {
    return partitioned;
  }

  /** How many client connections are being forwarded right now. */
  public int openConnections() {
    return links.size();
  }

  /** How many client connections the listeners accepted so far, forwarded or not. */
  public long connectionsAccepted() {
    return accepted.get();
  }

  /** How many accepted client connections were aborted because the client was cut off. */
  public long connectionsRefusedWhileCutOff() {
    return refusedWhileCutOff.get();
  }

  /**
   * Closes the listeners and every connection and waits (boundedly) for all proxy threads to end.
   * The listening ports are free again afterwards. Idempotent.
   */
  @Override
  public void close() {
    List<ProxyLink> open; // the links to join; none can be added once closed is set
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      cancelPendingHeal();
      for (ProxyListener l : listeners) {
        l.close();
      }
      open = new ArrayList<>(links);
    }
    open.forEach(link -> link.close(true));
    scheduler.shutdownNow();
    long deadline = System.nanoTime() + CLOSE_JOIN_NANOS;
    try {
      for (ProxyListener l : listeners) {
        l.join(deadline);
      }
      for (ProxyLink link : open) {
        link.join(deadline);
      }
      for (Thread t : schedulerThreads) { // awaitTermination() may return before the thread ends
        ProxyLink.joinUntil(t, deadline);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // guarded by this
  private void cutOffNow() {
    if (!cutOff) {
      cutOff = true;
      LOG.debug("proxy {} cut off, aborting {} connection(s)", connectString(), links.size());
    }
    for (ProxyLink link : new ArrayList<>(links)) {
      link.close(true);
    }
  }

  private synchronized void autoHeal(long epoch, Duration after) {
    if (!closed && epoch == healEpoch) {
      pendingHeal = null;
      cutOff = false;
      LOG.debug("proxy {} healed after {}", connectString(), after);
    }
  }

  // guarded by this
  private void cancelPendingHeal() {
    healEpoch++;
    if (pendingHeal != null) {
      pendingHeal.cancel(false);
      pendingHeal = null;
    }
  }

  /** Called by an acceptor once it reached the server: forwards, unless cut off or closed since. */
  private synchronized void register(ProxyLink link, Socket client, Socket server) {
    if (closed || cutOff) {
      if (cutOff) {
        refusedWhileCutOff.incrementAndGet();
      }
      ProxyLink.closeQuietly(client, true);
      ProxyLink.closeQuietly(server, true);
      return;
    }
    links.add(link);
    link.start();
  }

  private Thread newSchedulerThread(Runnable task) {
    Thread t = new Thread(task, "baton-proxy-" + proxyPort(0) + "-scheduler");
    t.setDaemon(true);
    schedulerThreads.add(t);
    return t;
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Runs on the listener's acceptor: forwards {@code client} to the listener's server. */
  private void forward(ProxyListener listener, Socket client) {
    accepted.incrementAndGet();
    if (cutOff) {
      refusedWhileCutOff.incrementAndGet();
      ProxyLink.closeQuietly(client, true);
      return;
    }
    Socket server = new Socket();
    try {
      client.setTcpNoDelay(true);
      server.setTcpNoDelay(true);
      server.connect(new InetSocketAddress(LOOPBACK, listener.serverPort()), CONNECT_TIMEOUT_MS);
    } catch (IOException e) {
      LOG.debug(
          "server 127.0.0.1:{} unreachable, client dropped: {}",
          listener.serverPort(),
          e.toString());
      ProxyLink.closeQuietly(client, true);
      ProxyLink.closeQuietly(server, true);
      return;
    }
    String name = "baton-proxy-" + listener.port() + "-link-" + linkIds.incrementAndGet();
    register(new ProxyLink(name, client, server, links::remove, () -> partitioned), client, server);
  }
}
