package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.NodeData;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.junit.jupiter.api.Test;

/** Session's data and watch calls against real servers, inside the test's namespace. */
@WithZooKeeper(size = 1)
class SessionDataTest {

  static final Duration WAIT = Duration.ofSeconds(30);

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void getData_returnsBytesAndStat_andEmptyForAMissingNode(Baton baton) throws Exception {
    Session s = baton.awaitSession(WAIT);
    ZkPath p = ZkPath.of("/cfg");
    assertThat(s.getData(p, Optional.empty()).get(30, TimeUnit.SECONDS)).isEmpty();

    s.create(p, utf8("v1"), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
    NodeData d = s.getData(p, Optional.empty()).get(30, TimeUnit.SECONDS).orElseThrow();
    assertThat(d.data()).isEqualTo(utf8("v1"));
    assertThat(d.stat().getVersion()).isZero();
  }

  @Test
  void setData_atAStaleVersion_failsWithBadVersion_andLeavesTheNodeAlone(Baton baton)
      throws Exception {
    Session s = baton.awaitSession(WAIT);
    ZkPath p = ZkPath.of("/cfg");
    s.create(p, utf8("v1"), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
    assertThat(s.setData(p, utf8("v2"), 0).get(30, TimeUnit.SECONDS).getVersion()).isEqualTo(1);

    assertThatThrownBy(() -> s.setData(p, utf8("v3"), 0).get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            ZooKeeperOperationException.class,
            e -> assertThat(e.code()).isEqualTo(KeeperException.Code.BADVERSION));
    assertThat(s.getData(p, Optional.empty()).get().orElseThrow().data()).isEqualTo(utf8("v2"));
  }

  @Test
  void persistentRecursiveWatch_seesEveryChangeBelow_inClientPaths_untilRemoved(Baton baton)
      throws Exception {
    Session s = baton.awaitSession(WAIT);
    ZkPath root = ZkPath.of("/tree");
    s.ensurePath(root, CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
    List<String> seen = new CopyOnWriteArrayList<>();
    Watcher w =
        e -> {
          if (e.getPath() != null) {
            seen.add(e.getType() + " " + s.clientPath(e.getPath()).orElseThrow());
          }
        };
    s.addWatch(root, w, AddWatchMode.PERSISTENT_RECURSIVE).get(30, TimeUnit.SECONDS);

    s.create(root.child("a"), utf8("1"), CreateMode.PERSISTENT).get();
    s.create(root.resolve("a/b"), utf8("2"), CreateMode.PERSISTENT).get();
    s.setData(root.resolve("a/b"), utf8("3"), -1).get();
    s.delete(root.resolve("a/b"), -1).get();
    await().atMost(WAIT).until(() -> seen.size() == 4);
    assertThat(seen)
        .containsExactly(
            "NodeCreated /tree/a",
            "NodeCreated /tree/a/b",
            "NodeDataChanged /tree/a/b",
            "NodeDeleted /tree/a/b");

    s.removeWatches(root, w).get(30, TimeUnit.SECONDS);
    s.create(root.child("c"), utf8("4"), CreateMode.PERSISTENT).get();
    // A sync round trip after the create: any event for it would have been delivered before this.
    s.getData(root.child("c"), Optional.empty()).get();
    await().atMost(WAIT).until(() -> seen.size() == 5);
    assertThat(seen.get(4)).isEqualTo("PersistentWatchRemoved /tree");
    // Removing again is fine.
    s.removeWatches(root, w).get(30, TimeUnit.SECONDS);
  }
}
