package dev.baton.cache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.core.BatonException;
import dev.baton.core.Codec;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/** Subscribers converge to the servers' state when the leader dies during updates. */
@WithZooKeeper(size = 3, sessionTimeoutMillis = 6000, connectionTimeoutMillis = 4000)
class ConvergenceTest {

  static final Duration WAIT = Duration.ofSeconds(90);
  static final ZkPath CFG = ZkPath.of("/config/app");
  static final ZkPath TREE = ZkPath.of("/tree");

  @Test
  void leaderKilledDuringUpdates_subscribersConverge(ZooKeeperEnsemble zk, TestClients clients)
      throws Exception {
    Session w = clients.connect().awaitSession(WAIT);
    w.ensurePath(TREE, CreateMode.PERSISTENT).get(60, TimeUnit.SECONDS);
    w.ensurePath(CFG.parent().orElseThrow(), CreateMode.PERSISTENT).get(60, TimeUnit.SECONDS);
    w.create(CFG, "0".getBytes(UTF_8), CreateMode.PERSISTENT).get(60, TimeUnit.SECONDS);
    List<ConfigSubscription<String>> configs = new ArrayList<>();
    List<TreeCache> trees = new ArrayList<>();
    List<dev.baton.core.Baton> ownClients = new ArrayList<>();
    AtomicInteger leaderOnlyResyncs = new AtomicInteger();
    int leader = zk.leader();
    for (int i = 0; i < 5; i++) {
      // Two subscribers talk to the leader only, so the kill surely cuts them off.
      boolean leaderOnly = i < 2;
      dev.baton.core.Baton client =
          leaderOnly ? leaderOnlyClient(zk, clients, leader) : clients.connect();
      if (leaderOnly) {
        ownClients.add(client);
      }
      ConfigSubscription<String> c = ConfigSubscription.create(client, CFG, Codec.utf8());
      c.awaitValue(WAIT);
      configs.add(c);
      TreeCache t = TreeCache.create(client, TREE, CacheOptions.defaults());
      if (leaderOnly) {
        t.addListener(
            e -> {
              if (e instanceof CacheEvent.Resynced) {
                leaderOnlyResyncs.incrementAndGet();
              }
            });
      }
      t.awaitInitialized(WAIT);
      trees.add(t);
    }

    dev.baton.core.Baton writerClient = clients.connect();
    AtomicInteger done = new AtomicInteger();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 1; i <= 150; i++) {
                int n = i;
                retry(
                    writerClient,
                    s -> {
                      s.setData(CFG, Integer.toString(n).getBytes(UTF_8), -1)
                          .get(30, TimeUnit.SECONDS);
                      ZkPath node = TREE.child("n" + (n % 20));
                      if (s.exists(node, Optional.empty()).get(30, TimeUnit.SECONDS).isPresent()) {
                        s.delete(node, -1).get(30, TimeUnit.SECONDS);
                      } else {
                        s.create(node, ("v" + n).getBytes(UTF_8), CreateMode.PERSISTENT)
                            .get(30, TimeUnit.SECONDS);
                      }
                    });
                done.set(n);
              }
            });
    await().atMost(WAIT).until(() -> done.get() >= 40);
    int killed = zk.killLeader();
    assertThat(killed).isEqualTo(leader);
    await().atMost(WAIT).until(() -> done.get() >= 80);
    zk.startServer(killed);
    writer.get(180, TimeUnit.SECONDS);

    Session reader = clients.connect().awaitSession(WAIT);
    String finalValue =
        new String(
            reader.getData(CFG, Optional.empty()).get(60, TimeUnit.SECONDS).orElseThrow().data(),
            UTF_8);
    assertThat(finalValue).isEqualTo("150");
    await()
        .atMost(WAIT)
        .until(() -> configs.stream().allMatch(c -> c.current().equals(Optional.of(finalValue))));
    var server = Servers.subtree(reader, TREE);
    await()
        .atMost(WAIT)
        .until(() -> trees.stream().allMatch(t -> Servers.describe(t.snapshot()).equals(server)));
    assertThat(leaderOnlyResyncs.get()).isGreaterThanOrEqualTo(2);
    configs.forEach(ConfigSubscription::close);
    trees.forEach(TreeCache::close);
    ownClients.forEach(dev.baton.core.Baton::close);
  }

  static dev.baton.core.Baton leaderOnlyClient(
      ZooKeeperEnsemble zk, TestClients clients, int leader) {
    return dev.baton.core.Baton.builder(zk.connectString(leader))
        .namespace(clients.chroot().toString())
        .sessionTimeout(Duration.ofSeconds(6))
        .connectionTimeout(Duration.ofSeconds(4))
        .build();
  }

  interface Step {
    void run(Session s) throws Exception;
  }

  /**
   * Runs a step until it succeeds, on the writer's current session. The step is idempotent at its
   * granularity (set to a value, toggle decided from a fresh read), so a retry after a lost reply
   * that did apply is harmless for the final state this test checks.
   */
  static void retry(dev.baton.core.Baton writer, Step step) {
    for (int attempt = 0; attempt < 200; attempt++) {
      try {
        step.run(writer.awaitSession(WAIT));
        return;
      } catch (ExecutionException | BatonException e) {
        // connection lost during the election: try again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("write kept failing");
  }
}
