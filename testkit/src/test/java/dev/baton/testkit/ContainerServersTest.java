package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a real 3-server ensemble in containers: quorum, leader kill and re-election, restart of the
 * killed server, pause and resume, and a teardown that leaves no container and frees the ports.
 * Skipped without a Docker engine, except under {@code BATON_TESTKIT_BACKEND=containers}, where a
 * missing engine fails it.
 */
class ContainerServersTest {

  private static final Duration QUORUM = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private final String ensembleId = "cs-test-" + UUID.randomUUID();
  private ContainerServers servers;

  @BeforeAll
  static void engine() {
    boolean available = ContainerServers.dockerAvailable();
    if ("containers".equalsIgnoreCase(System.getenv(Backend.ENV))) {
      assertThat(available).as("%s=containers but no Docker engine answers", Backend.ENV).isTrue();
    } else {
      Assumptions.assumeTrue(available, "no Docker engine");
    }
  }

  @AfterEach
  void tearDown() {
    if (servers != null) {
      servers.close();
    }
  }

  @Test
  void rewritesOnlyTheDataDir() {
    String cfg = "tickTime=200\ndataDir=/tmp/x/zk1\nclientPort=1234\nserver.1=127.0.0.1:1:2\n";
    assertThat(ContainerServers.containerConfig(cfg))
        .isEqualTo("tickTime=200\ndataDir=/data/zk\nclientPort=1234\nserver.1=127.0.0.1:1:2\n");
    assertThat(ContainerServers.containerConfig("tickTime=200")).endsWith("\ndataDir=/data/zk\n");
  }

  @Test
  void faultsOfAThreeServerEnsemble() throws Exception {
    List<ServerSpec> specs = freeSpecs(3);
    Map<Integer, Path> dataDirs = new LinkedHashMap<>();
    servers = new ContainerServers(ensembleId);

    long t0 = System.nanoTime();
    List<Long> startMillis = new ArrayList<>();
    for (ServerSpec s : specs) {
      long s0 = System.nanoTime();
      dataDirs.put(s.id(), dataDir(s.id()));
      servers.start(s, config(specs, s, dataDirs.get(s.id())), dataDirs.get(s.id()));
      startMillis.add((System.nanoTime() - s0) / 1_000_000);
    }
    long launched = System.nanoTime();
    int leader = awaitQuorum(specs, specs);
    long quorum = System.nanoTime();
    System.out.printf(
        "containers: 3 servers launched in %d ms (each start() %s ms), quorum (leader %d) %d ms"
            + " after the first start()%n",
        (launched - t0) / 1_000_000, startMillis, leader, (quorum - t0) / 1_000_000);
    assertThat(servers.describe(leader)).startsWith("container ").contains("image ");

    servers.kill(leader);
    assertThat(servers.isRunning(leader)).isFalse();
    List<ServerSpec> rest = specs.stream().filter(s -> s.id() != leader).toList();
    long k0 = System.nanoTime();
    int newLeader = awaitQuorum(specs, rest);
    System.out.printf(
        "containers: new leader %d elected %d ms after killing leader %d%n",
        newLeader, (System.nanoTime() - k0) / 1_000_000, leader);
    servers.kill(leader); // no-op when not running

    String container = servers.describe(leader);
    System.out.println("containers: describe(killed leader) = " + container);
    long r0 = System.nanoTime();
    restart(specs, specs.get(leader - 1), dataDirs);
    System.out.printf(
        "containers: killed server %d rejoined as follower %d ms after its restart%n",
        leader, (System.nanoTime() - r0) / 1_000_000);
    assertThat(servers.describe(leader)).startsWith(container.substring(0, 22)); // same container
    assertThat(awaitQuorum(specs, specs)).isEqualTo(newLeader);

    ServerSpec follower = rest.stream().filter(s -> s.id() != newLeader).findFirst().orElseThrow();
    int f = follower.id();
    servers.pause(f);
    assertThat(servers.isRunning(f)).isTrue();
    assertThat(srvr(follower)).isNull(); // frozen: the connection is accepted, nothing answers
    servers.pause(f); // already paused: no-op
    servers.resume(f);
    await().atMost(QUORUM).until(() -> mode(follower).equals("follower"));

    servers.pause(f);
    servers.kill(f); // a paused server can be killed
    assertThat(servers.isRunning(f)).isFalse();
    restart(specs, follower, dataDirs);

    long s0 = System.nanoTime();
    servers.stop(f);
    System.out.printf(
        "containers: graceful stop took %d ms%n", (System.nanoTime() - s0) / 1_000_000);
    assertThat(servers.isRunning(f)).isFalse();
    assertThatThrownBy(() -> servers.pause(f))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("server " + f)
        .hasMessageContaining("exited");
    restart(specs, follower, dataDirs);

    servers.pause(f); // close() must cope with a paused container
    servers.close();
    assertThat(containersLabelled()).isEmpty();
    for (ServerSpec s : specs) {
      assertThat(bindable(s.clientPort())).as("client port of server %d", s.id()).isTrue();
    }
    servers.close(); // idempotent
  }

  @Test
  void pauseOfAServerNeverStartedNamesIt() {
    servers = new ContainerServers(ensembleId);
    assertThat(servers.isRunning(2)).isFalse();
    servers.kill(2);
    servers.stop(2);
    assertThatThrownBy(() -> servers.resume(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("server 2")
        .hasMessageContaining("not started");
    assertThat(servers.describe(2)).contains("server 2");
  }

  /** Starts a stopped server again and waits until it follows. */
  private void restart(List<ServerSpec> specs, ServerSpec s, Map<Integer, Path> dataDirs) {
    servers.start(s, config(specs, s, dataDirs.get(s.id())), dataDirs.get(s.id()));
    assertThat(servers.isRunning(s.id())).isTrue();
    await().atMost(QUORUM).until(() -> mode(s).equals("follower"));
  }

  /** Waits until each of {@code up} answers leader or follower with exactly one leader. */
  private int awaitQuorum(List<ServerSpec> all, List<ServerSpec> up) {
    int[] leader = new int[1];
    await()
        .atMost(QUORUM)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Map<Integer, String> modes =
                  up.stream().collect(Collectors.toMap(ServerSpec::id, this::mode));
              List<Integer> leaders = new ArrayList<>();
              modes.forEach(
                  (id, m) -> {
                    if (m.equals("leader")) {
                      leaders.add(id);
                    }
                  });
              boolean ok =
                  leaders.size() == 1
                      && modes.values().stream().filter("follower"::equals).count()
                          == up.size() - 1;
              leader[0] = ok ? leaders.get(0) : 0;
              return ok;
            });
    return leader[0];
  }

  private String mode(ServerSpec s) {
    String out = srvr(s);
    if (out == null) {
      return "none";
    }
    return out.lines()
        .filter(l -> l.startsWith("Mode: "))
        .map(l -> l.substring(6).trim())
        .findFirst()
        .orElse("unknown");
  }

  private static String srvr(ServerSpec s) {
    try {
      return FourLetterWordMain.send4LetterWord("127.0.0.1", s.clientPort(), "srvr", false, 2000);
    } catch (Exception e) {
      return null;
    }
  }

  private List<com.github.dockerjava.api.model.Container> containersLabelled() {
    return DockerClientFactory.instance()
        .client()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(ContainerServers.LABEL_ENSEMBLE, ensembleId))
        .exec();
  }

  private Path dataDir(int id) throws IOException {
    Path d = Files.createDirectories(tmp.resolve("zk" + id));
    Files.writeString(d.resolve("myid"), id + "\n", StandardCharsets.US_ASCII);
    return d;
  }

  private static String config(List<ServerSpec> specs, ServerSpec me, Path dataDir) {
    StringBuilder b = new StringBuilder();
    b.append("tickTime=200\ninitLimit=50\nsyncLimit=10\n")
        .append("dataDir=")
        .append(dataDir)
        .append('\n')
        .append("clientPort=")
        .append(me.clientPort())
        .append("\nclientPortAddress=127.0.0.1\n")
        .append("admin.enableServer=false\n4lw.commands.whitelist=*\n")
        .append("standaloneEnabled=false\nreconfigEnabled=false\nforceSync=no\n")
        .append("minSessionTimeout=400\nmaxSessionTimeout=60000\n");
    specs.forEach(s -> b.append(s.serverLine()).append('\n'));
    return b.toString();
  }

  /** Servers 1..n with three free 127.0.0.1 ports each, below the ephemeral range. */
  private static List<ServerSpec> freeSpecs(int n) {
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < 3 * n) {
      int p = ThreadLocalRandom.current().nextInt(20000, 32000);
      if (!ports.contains(p) && bindable(p)) {
        ports.add(p);
      }
    }
    List<ServerSpec> specs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      specs.add(
          new ServerSpec(i + 1, ports.get(3 * i), ports.get(3 * i + 1), ports.get(3 * i + 2)));
    }
    return specs;
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort() == port;
    } catch (IOException e) {
      return false;
    }
  }
}
