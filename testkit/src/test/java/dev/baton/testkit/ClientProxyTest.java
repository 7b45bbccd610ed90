package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientProxyTest {

  private static final InetAddress LOOPBACK = loopback();
  private static final int READ_TIMEOUT_MS = 3_000;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void forwardsBytesBothWays() throws IOException {
    EchoServer echo = echoServer(0);
    ClientProxy proxy = proxy(echo.port());

    byte[] sent = new byte[64 * 1024];
    new Random(42).nextBytes(sent);
    try (Socket client = connect(proxy.proxyPort(0))) {
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  client.getOutputStream().write(sent);
                  client.getOutputStream().flush();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      byte[] received = client.getInputStream().readNBytes(sent.length);
      writer.join();

      assertThat(received).isEqualTo(sent);
      assertThat(proxy.openConnections()).isEqualTo(1);
      assertThat(proxy.connectionsAccepted()).isEqualTo(1);
    }
    await().until(() -> proxy.openConnections() == 0);
  }

  @Test
  void cutOff_closesOpenConnections_andRefusesNewOnes() throws IOException {
    EchoServer echo = echoServer(0);
    ClientProxy proxy = proxy(echo.port());
    try (Socket client = connect(proxy.proxyPort(0))) {
      assertEchoes(client);
      assertThat(proxy.openConnections()).isEqualTo(1);

      proxy.cutOff();
      proxy.cutOff(); // idempotent

      assertThat(proxy.isCutOff()).isTrue();
      assertClosedByProxy(client);
      await().until(() -> proxy.openConnections() == 0);
    }

    assertConnectionRefused(proxy.proxyPort(0));
    assertConnectionRefused(proxy.proxyPort(0));
    await().until(() -> proxy.connectionsRefusedWhileCutOff() == 2);
    assertThat(proxy.connectionsAccepted()).isEqualTo(3);
    assertThat(echo.connectionsAccepted())
        .as("cut-off proxy must not reach the server")
        .isEqualTo(1);
  }

  @Test
  void heal_letsNewConnectionsThrough() throws IOException {
    EchoServer echo = echoServer(0);
    ClientProxy proxy = proxy(echo.port());
    proxy.cutOff();
    assertConnectionRefused(proxy.proxyPort(0));

    proxy.heal();
    proxy.heal(); // idempotent

    assertThat(proxy.isCutOff()).isFalse();
    try (Socket client = connect(proxy.proxyPort(0))) {
      assertEchoes(client);
    }
  }

  @Test
  void partition_dropsEveryByte_keepsConnectionsOpen_andHealAbortsTheSilencedOnes()
      throws IOException {
    EchoServer echo = echoServer(0);
    ClientProxy proxy = proxy(echo.port());
    try (Socket before = connect(proxy.proxyPort(0))) {
      assertEchoes(before);

      proxy.partition();
      proxy.partition(); // idempotent

      assertThat(proxy.isPartitioned()).isTrue();
      assertSilent(before);
      try (Socket during = connect(proxy.proxyPort(0))) {
        assertSilent(during);
        await().until(() -> proxy.openConnections() == 2);

        proxy.heal();

        assertThat(proxy.isPartitioned()).isFalse();
        assertClosedByProxy(before);
        assertClosedByProxy(during);
      }
    }
    try (Socket after = connect(proxy.proxyPort(0))) {
      assertEchoes(after);
    }
  }

  @Test
  void cutOffFor_healsByItself() throws IOException {
    EchoServer echo = echoServer(0);
    ClientProxy proxy = proxy(echo.port());
    try (Socket client = connect(proxy.proxyPort(0))) {
      assertEchoes(client);

      proxy.cutOffFor(Duration.ofMillis(300));

      assertThat(proxy.isCutOff()).isTrue();
      assertClosedByProxy(client);
    }
    await().atMost(Duration.ofSeconds(3)).until(() -> !proxy.isCutOff());
    try (Socket client = connect(proxy.proxyPort(0))) {
      assertEchoes(client);
    }
  }

  @Test
  void cutOff_afterCutOffFor_cancelsTheAutomaticHeal() {
    ClientProxy proxy = proxy(echoServer(0).port());
    proxy.cutOffFor(Duration.ofMillis(200));

    proxy.cutOff();

    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(proxy::isCutOff);
  }

  @Test
  void cutOffFor_again_replacesThePendingHeal() {
    ClientProxy proxy = proxy(echoServer(0).port());
    proxy.cutOffFor(Duration.ofMillis(200));

    proxy.cutOffFor(Duration.ofSeconds(30));

    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(proxy::isCutOff);
    proxy.heal();
    assertThat(proxy.isCutOff()).isFalse();
  }

  @Test
  void cutOffFor_rejectsZeroAndNegativeDurations() {
    ClientProxy proxy = proxy(echoServer(0).port());

    assertThatThrownBy(() -> proxy.cutOffFor(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> proxy.cutOffFor(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-1S");
    assertThat(proxy.isCutOff()).isFalse();
  }

  @Test
  void serverDown_dropsClient_andForwardsOnceTheServerIsBack() throws IOException {
    EchoServer gone = echoServer(0);
    int serverPort = gone.port();
    gone.close();
    ClientProxy proxy = proxy(serverPort);

    assertConnectionRefused(proxy.proxyPort(0));
    await().until(() -> proxy.connectionsAccepted() == 1);
    assertThat(proxy.connectionsRefusedWhileCutOff()).isZero();
    assertThat(proxy.openConnections()).isZero();

    EchoServer back = echoServer(serverPort);
    try (Socket client = connect(proxy.proxyPort(0))) {
      assertEchoes(client);
    }
    assertThat(back.connectionsAccepted()).isEqualTo(1);
  }

  @Test
  void close_freesThePorts_andStopsAllProxyThreads() throws IOException {
    EchoServer echo = echoServer(0);
    ClientProxy proxy = proxy(echo.port(), echo.port());
    Socket client = connect(proxy.proxyPort(1));
    assertEchoes(client);
    assertThat(proxyThreads()).isNotEmpty();

    proxy.close();
    proxy.close(); // idempotent

    assertThat(proxyThreads()).isEmpty();
    assertClosedByProxy(client);
    client.close();
    for (int i = 0; i < 2; i++) {
      try (ServerSocket rebound = new ServerSocket()) {
        rebound.setReuseAddress(true);
        rebound.bind(new InetSocketAddress(LOOPBACK, proxy.proxyPort(i)));
      }
    }
  }

  @Test
  void close_stopsTheSchedulerOfAPendingHeal() {
    ClientProxy proxy = proxy(echoServer(0).port());
    proxy.cutOffFor(Duration.ofSeconds(30));

    proxy.close();

    assertThat(proxyThreads()).isEmpty();
  }

  @Test
  void connectString_listsTheProxyPortsInServerOrder() {
    ClientProxy proxy = proxy(2181, 2182, 2183); // nothing is dialled until a client connects

    assertThat(proxy.connectString())
        .matches("127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+")
        .isEqualTo(
            "127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d",
            proxy.proxyPort(0), proxy.proxyPort(1), proxy.proxyPort(2));
    assertThat(Set.of(proxy.proxyPort(0), proxy.proxyPort(1), proxy.proxyPort(2))).hasSize(3);
  }

  private ClientProxy proxy(Integer... serverPorts) {
    ClientProxy proxy = ClientProxy.start(List.of(serverPorts));
    toClose.add(proxy);
    return proxy;
  }

  private EchoServer echoServer(int port) {
    EchoServer echo = new EchoServer(port);
    toClose.add(echo);
    return echo;
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.setSoTimeout(READ_TIMEOUT_MS);
    socket.connect(new InetSocketAddress(LOOPBACK, port), READ_TIMEOUT_MS);
    return socket;
  }

  private static void assertEchoes(Socket client) throws IOException {
    byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
    client.getOutputStream().write(ping);
    client.getOutputStream().flush();
    assertThat(client.getInputStream().readNBytes(ping.length)).isEqualTo(ping);
  }

  /** Bytes sent go nowhere: no echo, and the connection is neither ended nor reset. */
  private static void assertSilent(Socket client) throws IOException {
    client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
    client.getOutputStream().flush();
    client.setSoTimeout(500);
    try {
      int b = client.getInputStream().read();
      throw new AssertionError("a silenced connection returned " + b);
    } catch (SocketTimeoutException expected) {
      // nothing came back and the connection is still open
    } finally {
      client.setSoTimeout(READ_TIMEOUT_MS);
    }
  }

  /** The proxy ended the connection: end of stream or a reset, not a read timeout. */
  private static void assertClosedByProxy(Socket client) throws IOException {
    try {
      assertThat(client.getInputStream().read()).isEqualTo(-1);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("connection still open after " + READ_TIMEOUT_MS + " ms", e);
    } catch (IOException expected) {
      // "Connection reset": the proxy aborts connections.
    }
  }

  /** A new connection gets accepted, then closed by the proxy without any byte coming back. */
  private static void assertConnectionRefused(int proxyPort) throws IOException {
    Socket connected;
    try {
      connected = connect(proxyPort);
    } catch (ConnectException | SocketTimeoutException e) {
      throw new AssertionError("proxy listener on " + proxyPort + " is not accepting", e);
    } catch (SocketException alreadyReset) {
      return; // the reset can beat the end of the client's connect()
    }
    try (Socket client = connected) {
      try {
        client.getOutputStream().write(new byte[] {1, 2, 3});
        client.getOutputStream().flush();
      } catch (IOException alreadyReset) {
        return;
      }
      assertClosedByProxy(client);
    }
  }

  private static List<String> proxyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("baton-proxy"))
        .toList();
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Echoes every byte back, one thread per connection, on 127.0.0.1. */
  private static final class EchoServer implements AutoCloseable {
    private final ServerSocket listener;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();

    EchoServer(int port) {
      try {
        listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(LOOPBACK, port));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Thread acceptor = new Thread(this::acceptLoop, "echo-" + listener.getLocalPort());
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    int connectionsAccepted() {
      return accepted.get();
    }

    private void acceptLoop() {
      while (!listener.isClosed()) {
        try {
          Socket socket = listener.accept();
          accepted.incrementAndGet();
          connections.add(socket);
          Thread t = new Thread(() -> echo(socket), "echo-" + port() + "-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          // closed
        }
      }
    }

    private void echo(Socket socket) {
      try (socket;
          InputStream in = socket.getInputStream();
          OutputStream out = socket.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // peer went away
      } finally {
        connections.remove(socket);
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket socket : connections) {
        socket.close();
      }
    }
  }
}
