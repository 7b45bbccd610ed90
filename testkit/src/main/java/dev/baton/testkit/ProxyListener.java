package dev.baton.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket of a {@link ClientProxy} and its acceptor thread, which hands every accepted
 * socket to a handler until the socket is closed.
 *
 * <p>Thread-safe: immutable after construction; {@link #close} may be called from any thread.
 */
final class ProxyListener {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyListener.class);

  private final ServerSocket socket;
  private final int serverPort;
  private final Thread acceptor;

  /**
   * @param socket a bound listening socket, owned by this listener from now on
   * @param serverPort the server port its connections are forwarded to
   * @param handler takes this listener and each accepted socket, on the acceptor thread
   */
  ProxyListener(ServerSocket socket, int serverPort, BiConsumer<ProxyListener, Socket> handler) {
    this.socket = socket;
    this.serverPort = serverPort;
    this.acceptor = new Thread(() -> acceptLoop(handler), "baton-proxy-" + port() + "-acceptor");
    acceptor.setDaemon(true);
  }

  /** The listening port. */
  int port() {
    return socket.getLocalPort();
  }

  int serverPort() {
    return serverPort;
  }

  /** Starts the acceptor thread. Call at most once. */
  void start() {
    acceptor.start();
  }

  /** Closes the listening socket; the acceptor ends once its current handler call returns. */
  void close() {
    closeQuietly(socket);
  }

  /**
   * Waits for the acceptor to end, but not past {@code deadlineNanos} ({@link System#nanoTime}).
   */
  void join(long deadlineNanos) throws InterruptedException {
    ProxyLink.joinUntil(acceptor, deadlineNanos);
  }

  static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("could not close listener {}: {}", socket, e.toString());
    }
  }

  private void acceptLoop(BiConsumer<ProxyListener, Socket> handler) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        if (!socket.isClosed()) {
          LOG.debug("{}: accept failed: {}", acceptor.getName(), e.toString());
        }
        continue;
      }
      handler.accept(this, client);
    }
  }
}
