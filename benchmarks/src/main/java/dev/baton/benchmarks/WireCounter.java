package dev.baton.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy in front of one ZooKeeper server that counts ZooKeeper frames as they pass:
 * requests from clients (pings excluded) and watch notifications to clients (reply header xid -1).
 * This is how the herd scenario counts what a release costs "on the wire", the same way for both
 * libraries, without trusting either library's own bookkeeping.
 *
 * <p>Every frame is a 4-byte length and a payload; the first frame each way is the session
 * handshake (no xid) and is not counted. Thread-safe: counters are atomics; two daemon threads per
 * connection; {@link #close} closes every socket.
 */
final class WireCounter implements AutoCloseable {

  private static final int NOTIFICATION_XID = -1;
  private static final int PING_XID = -2;

  private final ServerSocket listener;
  private final String targetHost;
  private final int targetPort;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong notifications = new AtomicLong();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  /** Starts a proxy to {@code server} ("host:port"). */
  WireCounter(String server) throws IOException {
    String[] hp = server.split(":");
    this.targetHost = hp[0];
    this.targetPort = Integer.parseInt(hp[1]);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "wire-counter-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The connect string clients use to go through this proxy. */
  String connectString() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  long requests() {
    return requests.get();
  }

  long notifications() {
    return notifications.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(targetHost, targetPort), 10_000);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(server);
        pump(client, server, requests, PING_XID, "up");
        pump(server, client, notifications, NOTIFICATION_XID, "down");
      } catch (IOException e) {
        if (!listener.isClosed()) {
          System.err.println("wire counter: " + e);
        }
      }
    }
  }

  /**
   * Copies frames from {@code from} to {@code to}. Upstream counts every frame whose xid is not
   * {@code xid} (pings); downstream counts frames whose xid is {@code xid} (notifications).
   */
  private void pump(Socket from, Socket to, AtomicLong counter, int xid, String dir) {
    boolean up = "up".equals(dir);
    Thread t =
        new Thread(
            () -> {
              try (DataInputStream in =
                      new DataInputStream(new BufferedInputStream(from.getInputStream()));
                  DataOutputStream out =
                      new DataOutputStream(new BufferedOutputStream(to.getOutputStream()))) {
                boolean handshake = true;
                while (true) {
                  int len = in.readInt();
                  byte[] frame = new byte[len];
                  in.readFully(frame);
                  if (!handshake && len >= 4) {
                    int frameXid =
                        ((frame[0] & 0xff) << 24)
                            | ((frame[1] & 0xff) << 16)
                            | ((frame[2] & 0xff) << 8)
                            | (frame[3] & 0xff);
                    if (up ? frameXid != xid : frameXid == xid) {
                      counter.incrementAndGet();
                    }
                  }
                  handshake = false;
                  out.writeInt(len);
                  out.write(frame);
                  if (in.available() == 0) {
                    out.flush();
                  }
                }
              } catch (EOFException e) {
                // connection closed
              } catch (IOException e) {
                // closed by either side or by close()
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "wire-counter-" + dir);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing left to do
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(WireCounter::closeQuietly);
  }
}
