package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.github.dockerjava.api.model.Container;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.DockerClientFactory;

/** Teardown leaves nothing behind: checked by looking for each kind of leftover, not assumed. */
class TeardownTest {

  @ParameterizedTest
  @EnumSource(Backend.class)
  void close_leavesNoServerProcessContainerFolderPortOrThread(Backend backend) {
    assumeBackendUsable(backend);
    ZooKeeperEnsemble zk = ZooKeeperEnsemble.builder().size(3).backend(backend).start();
    List<Integer> ports = zk.allPorts();
    Path data = zk.dataRoot();
    ClientProxy proxy = zk.newProxy();
    assertThat(leftovers(ports, data)).isNotEmpty(); // the check sees a live ensemble

    zk.close();
    zk.close(); // idempotent

    assertThat(proxy.isCutOff()).isFalse();
    assertThat(leftovers(ports, data)).isEmpty();
  }

  /** Filled by the failing class below so that this test can inspect what it left. */
  static final AtomicReference<ZooKeeperEnsemble> FAILED_CLASS_ENSEMBLE = new AtomicReference<>();

  @Test
  void extension_tearsDownTheEnsemble_evenWhenTheTestFails() {
    var results =
        EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(AlwaysFailing.class))
            .configurationParameter(
                "junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition")
            .execute();
    results.testEvents().assertStatistics(s -> s.started(1).failed(1));
    ZooKeeperEnsemble zk = FAILED_CLASS_ENSEMBLE.get();
    assertThat(zk).isNotNull();
    assertThat(leftovers(zk.allPorts(), zk.dataRoot())).isEmpty();
  }

  /** Run only through the engine test kit above (disabled for the normal run). */
  @org.junit.jupiter.api.Disabled("run by extension_tearsDownTheEnsemble_evenWhenTheTestFails")
  @WithZooKeeper(size = 1, backend = Backend.IN_PROCESS)
  static class AlwaysFailing {
    @Test
    void fails(ZooKeeperEnsemble zk, dev.baton.core.Baton baton) {
      FAILED_CLASS_ENSEMBLE.set(zk);
      assertThat(zk.isServing(1)).isTrue();
      throw new AssertionError("this test fails on purpose");
    }
  }

  /** Everything of an ensemble that could outlive it, described; empty when nothing is left. */
  static List<String> leftovers(List<Integer> ports, Path dataRoot) {
    List<String> found = new java.util.ArrayList<>();
    for (int port : ports) {
      if (!Ports.isFree(port)) {
        found.add("port " + port + " still bound");
      }
    }
    if (Files.exists(dataRoot)) {
      found.add("data folder " + dataRoot + " still exists");
    }
    ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().orElse("").contains("QuorumPeerMain"))
        .forEach(p -> found.add("server process " + p.pid() + " still alive"));
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (t.isAlive()
          && (name.startsWith("baton-zk-")
              || name.startsWith("baton-proxy")
              || mentionsPort(name, ports))) {
        found.add("thread " + name + " still alive");
      }
    }
    if (ContainerServers.dockerAvailable()) {
      List<Container> containers =
          DockerClientFactory.instance()
              .client()
              .listContainersCmd()
              .withShowAll(true)
              .withLabelFilter(Map.of("dev.baton.testkit", "true"))
              .exec();
      containers.forEach(
          c -> found.add("container " + c.getId() + " (" + c.getState() + ") still exists"));
    }
    return found;
  }

  private static boolean mentionsPort(String threadName, List<Integer> ports) {
    return ports.stream()
        .anyMatch(p -> threadName.contains(":" + p) || threadName.contains("-" + p));
  }

  private static void assumeBackendUsable(Backend backend) {
    if (backend == Backend.CONTAINERS) {
      Assumptions.assumeTrue(
          TestEnvironment.containersExpectedOrAvailable(),
          "no Docker engine (and CI did not ask for containers)");
    }
  }
}
