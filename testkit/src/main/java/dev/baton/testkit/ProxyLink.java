package dev.baton.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarded connection of a {@link ClientProxy}: the accepted client socket, the socket to the
 * server, and two pump threads copying bytes between them.
 *
 * <p>Thread-safe: {@link #close} is idempotent through an atomic flag and may be called from any
 * thread, including the pumps themselves.
 */
final class ProxyLink {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyLink.class);
  private static final int BUFFER_SIZE = 16 * 1024;

  private final String name;
  private final Socket client;
  private final Socket server;
  private final Consumer<ProxyLink> onClosed;
  private final BooleanSupplier silenced;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread up;
  private final Thread down;

  /**
   * @param name thread name prefix, e.g. {@code baton-proxy-40001-link-3}
   * @param onClosed called once, by whichever thread closes the link first
   * @param silenced while true, bytes read from either side are dropped, not forwarded
   */
  ProxyLink(
      String name,
      Socket client,
      Socket server,
      Consumer<ProxyLink> onClosed,
      BooleanSupplier silenced) {
    this.name = name;
    this.client = client;
    this.server = server;
    this.onClosed = onClosed;
    this.silenced = silenced;
    this.up = pumpThread(name + "-up", client, server);
    this.down = pumpThread(name + "-down", server, client);
  }

  /** Starts both pumps. Call at most once. */
  void start() {
    up.start();
    down.start();
  }

  /**
   * Closes both sockets; the pumps then end by themselves. Idempotent.
   *
   * @param reset whether to abort both sides with a TCP reset (SO_LINGER 0) instead of a FIN
   */
  void close(boolean reset) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(client, reset);
    closeQuietly(server, reset);
    onClosed.accept(this);
  }

  /** Waits for both pumps to end, but not past {@code deadlineNanos} ({@link System#nanoTime}). */
  void join(long deadlineNanos) throws InterruptedException {
    joinUntil(up, deadlineNanos);
    joinUntil(down, deadlineNanos);
  }

  /**
   * Closes {@code socket}, first arranging a TCP reset if {@code reset}. Never throws: the socket
   * may already be broken, which is what a cut-off is about.
   */
  static void closeQuietly(Socket socket, boolean reset) {
    try {
      if (reset && !socket.isClosed()) {
        socket.setSoLinger(true, 0);
      }
    } catch (IOException e) {
      LOG.debug("could not set SO_LINGER on {}: {}", socket, e.toString());
    }
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("could not close {}: {}", socket, e.toString());
    }
  }

  /** Joins {@code thread}, but not past {@code deadlineNanos} ({@link System#nanoTime}). */
  static void joinUntil(Thread thread, long deadlineNanos) throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.timedJoin(thread, left);
    }
  }

  private Thread pumpThread(String threadName, Socket from, Socket to) {
    Thread t = new Thread(() -> pump(threadName, from, to), threadName);
    t.setDaemon(true);
    return t;
  }

  private void pump(String threadName, Socket from, Socket to) {
    byte[] buffer = new byte[BUFFER_SIZE];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (!silenced.getAsBoolean()) {
          out.write(buffer, 0, n);
        }
      }
      LOG.debug("{}: end of stream", threadName);
    } catch (IOException e) {
      // Expected whenever the other pump or a cut-off closed the sockets under us.
      LOG.debug("{}: {}{}", threadName, e.toString(), closed.get() ? " (link already closed)" : "");
    } finally {
      close(false);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
