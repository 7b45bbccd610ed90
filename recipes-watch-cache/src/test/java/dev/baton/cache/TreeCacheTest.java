package dev.baton.cache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.ClientProxy;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.Test;

/** Tree and node caches against a real server. */
@WithZooKeeper(size = 1, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class TreeCacheTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ZkPath ROOT = ZkPath.of("/tree");

  /** Records every event a listener receives. */
  static final class Recorder implements CacheListener {
    final List<CacheEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(CacheEvent event) {
      events.add(event);
    }

    long count(Class<? extends CacheEvent> type) {
      return events.stream().filter(type::isInstance).count();
    }
  }

  static Session writer(TestClients clients) throws InterruptedException {
    return clients.connect().awaitSession(WAIT);
  }

  static void create(Session s, String path, String data) throws Exception {
    ZkPath p = ZkPath.of(path);
    s.ensurePath(p.parent().orElseThrow(), CreateMode.PERSISTENT).get(60, TimeUnit.SECONDS);
    s.create(p, data.getBytes(UTF_8), CreateMode.PERSISTENT).get(60, TimeUnit.SECONDS);
  }

  @Test
  void cache_loadsTheSubtree_thenReportsChangesInOrder(Baton baton, TestClients clients)
      throws Exception {
    Session w = writer(clients);
    create(w, "/tree/a", "1");
    create(w, "/tree/a/b", "2");
    Recorder rec = new Recorder();
    try (TreeCache cache = TreeCache.create(baton, "/tree")) {
      cache.addListener(rec);
      cache.awaitInitialized(WAIT);
      assertThat(cache.snapshot().keySet())
          .containsExactly(ROOT, ZkPath.of("/tree/a"), ZkPath.of("/tree/a/b"));

      create(w, "/tree/c", "3");
      w.setData(ZkPath.of("/tree/a"), "x".getBytes(UTF_8), -1).get(60, TimeUnit.SECONDS);
      w.delete(ZkPath.of("/tree/a/b"), -1).get(60, TimeUnit.SECONDS);

      await()
          .atMost(WAIT)
          .until(() -> Servers.describe(cache.snapshot()).equals(Servers.subtree(w, ROOT)));
      List<String> after = new ArrayList<>();
      boolean initialized = false;
      for (CacheEvent e : rec.events) {
        if (e instanceof CacheEvent.Initialized) {
          initialized = true;
        } else if (initialized) {
          after.add(e.getClass().getSimpleName() + " " + path(e));
        }
      }
      assertThat(after).containsExactly("Added /tree/c", "Changed /tree/a", "Removed /tree/a/b");
      assertThat(rec.count(CacheEvent.Added.class)).isEqualTo(4); // 3 loaded, 1 created
    }
  }

  static ZkPath path(CacheEvent e) {
    if (e instanceof CacheEvent.Added a) {
      return a.node().path();
    } else if (e instanceof CacheEvent.Changed c) {
      return c.current().path();
    } else if (e instanceof CacheEvent.Removed r) {
      return r.previous().path();
    }
    return ZkPath.root();
  }

  @Test
  void deleteAndRecreate_whileCutOff_isSeenAsRemovedThenAdded_withTheNewCzxid(
      Baton baton, ClientProxy proxy, TestClients clients) throws Exception {
    Session w = writer(clients);
    create(w, "/tree/n", "v1");
    Recorder rec = new Recorder();
    try (TreeCache cache = TreeCache.create(baton, "/tree")) {
      cache.addListener(rec);
      cache.awaitInitialized(WAIT);
      long oldCzxid = cache.get(ZkPath.of("/tree/n")).orElseThrow().czxid();

      proxy.cutOff();
      w.delete(ZkPath.of("/tree/n"), -1).get(60, TimeUnit.SECONDS);
      create(w, "/tree/n", "v1"); // same data, same version 0: only the czxid tells
      proxy.heal();

      await()
          .atMost(WAIT)
          .until(
              () -> cache.get(ZkPath.of("/tree/n")).map(n -> n.czxid() != oldCzxid).orElse(false));
      await().atMost(WAIT).until(() -> rec.count(CacheEvent.Initialized.class) >= 2);
      assertThat(rec.events).anyMatch(e -> e instanceof CacheEvent.Resynced);
      assertThat(rec.events)
          .anyMatch(e -> e instanceof CacheEvent.Removed r && r.previous().czxid() == oldCzxid);
      assertThat(rec.events)
          .anyMatch(
              e ->
                  e instanceof CacheEvent.Added a
                      && a.node().path().equals(ZkPath.of("/tree/n"))
                      && a.node().czxid() != oldCzxid);
      assertThat(Servers.describe(cache.snapshot())).isEqualTo(Servers.subtree(w, ROOT));
    }
  }

  @Test
  void sessionExpiry_resyncs_emitsInitializedAgain_andMatchesTheServer(
      Baton baton, ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Session w = writer(clients);
    for (int i = 0; i < 20; i++) {
      create(w, "/tree/n" + i, "v" + i);
    }
    Recorder rec = new Recorder();
    try (TreeCache cache = TreeCache.create(baton, "/tree")) {
      cache.addListener(rec);
      cache.awaitInitialized(WAIT);
      long oldSession = baton.awaitSession(WAIT).id();

      zk.expireSession(baton);
      for (int i = 0; i < 10; i++) {
        w.delete(ZkPath.of("/tree/n" + i), -1).get(60, TimeUnit.SECONDS);
      }
      create(w, "/tree/fresh", "new");
      w.setData(ZkPath.of("/tree/n15"), "changed".getBytes(UTF_8), -1).get(60, TimeUnit.SECONDS);

      await()
          .atMost(WAIT)
          .until(
              () ->
                  rec.events.stream()
                      .anyMatch(
                          e ->
                              e instanceof CacheEvent.Resynced r
                                  && r.reason() == CacheEvent.ResyncReason.NEW_SESSION));
      await().atMost(WAIT).until(() -> rec.count(CacheEvent.Initialized.class) >= 2);
      assertThat(baton.awaitSession(WAIT).id()).isNotEqualTo(oldSession);
      await()
          .atMost(WAIT)
          .until(() -> Servers.describe(cache.snapshot()).equals(Servers.subtree(w, ROOT)));
      CacheEvent last = rec.events.get(rec.events.size() - 1);
      assertThat(last).isInstanceOf(CacheEvent.Initialized.class);
      assertThat(Servers.describe(((CacheEvent.Initialized) last).snapshot()))
          .isEqualTo(Servers.subtree(w, ROOT));
    }
  }

  @Test
  void watchCount_onTheServer_isOnePerCache_whateverTheSubtreeSize(
      Baton baton, ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Session w = writer(clients);
    w.ensurePath(ROOT, CreateMode.PERSISTENT).get(60, TimeUnit.SECONDS);
    int dirs = 20;
    int leaves = 25;
    for (int d = 0; d < dirs; d++) {
      List<Op> ops = new ArrayList<>();
      String dir = w.serverPath(ROOT.child("d" + d));
      ops.add(Op.create(dir, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
      for (int l = 0; l < leaves; l++) {
        ops.add(
            Op.create(
                dir + "/l" + l,
                ("v" + l).getBytes(UTF_8),
                ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT));
      }
      w.multi(ops).get(60, TimeUnit.SECONDS);
    }
    int size = 1 + dirs * (1 + leaves);
    long session = baton.awaitSession(WAIT).id();
    int before = Servers.watchesOf(zk, session);
    // Baseline: Curator's own watch on /zookeeper/config.

    try (TreeCache tree = TreeCache.create(baton, "/tree");
        NodeCache node = NodeCache.create(baton, ZkPath.of("/flag"))) {
      tree.awaitInitialized(WAIT);
      node.awaitInitialized(WAIT);
      assertThat(tree.snapshot()).hasSize(size);
      w.setData(ZkPath.of("/tree/d3/l7"), "x".getBytes(UTF_8), -1).get(60, TimeUnit.SECONDS);
      await()
          .atMost(WAIT)
          .until(() -> tree.get(ZkPath.of("/tree/d3/l7")).orElseThrow().data().utf8().equals("x"));

      assertThat(Servers.watchesOf(zk, session)).isEqualTo(before + 2);
      System.out.printf(
          "watches of the session (wchc): %d before, %d with a tree cache of %d nodes and a node"
              + " cache%n",
          before, Servers.watchesOf(zk, session), size);
    }
    // Not asserted: after close() removes the watch (removeWatches answers OK and the client gets
    // PersistentWatchRemoved), ZooKeeper 3.9.5's wchc/wchs still list it for the session.
  }

  @Test
  void nodeCache_ofAMissingNode_isAbsentUntilCreated(Baton baton, TestClients clients)
      throws Exception {
    Session w = writer(clients);
    Recorder rec = new Recorder();
    try (NodeCache cache = NodeCache.create(baton, ZkPath.of("/flag"))) {
      cache.addListener(rec);
      cache.awaitInitialized(WAIT);
      assertThat(cache.current()).isEmpty();
      create(w, "/flag", "on");
      create(w, "/flag/child", "ignored");
      await().atMost(WAIT).until(() -> cache.current().isPresent());
      assertThat(cache.current().orElseThrow().data().utf8()).isEqualTo("on");
      w.delete(ZkPath.of("/flag/child"), -1).get(60, TimeUnit.SECONDS);
      w.delete(ZkPath.of("/flag"), -1).get(60, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> cache.current().isEmpty());
      assertThat(rec.events).noneMatch(e -> path(e).equals(ZkPath.of("/flag/child")));
    }
  }

  @Test
  void lateListener_firstGetsTheCurrentContentsAsInitialized(Baton baton, TestClients clients)
      throws Exception {
    Session w = writer(clients);
    create(w, "/tree/a", "1");
    try (TreeCache cache = TreeCache.create(baton, "/tree")) {
      cache.awaitInitialized(WAIT);
      Recorder late = new Recorder();
      cache.addListener(late);
      await().atMost(WAIT).until(() -> !late.events.isEmpty());
      assertThat(late.events.get(0)).isInstanceOf(CacheEvent.Initialized.class);
      assertThat(((CacheEvent.Initialized) late.events.get(0)).snapshot())
          .containsKeys(ROOT, ZkPath.of("/tree/a"));
      create(w, "/tree/b", "2");
      await()
          .atMost(WAIT)
          .until(() -> late.events.stream().anyMatch(e -> path(e).equals(ZkPath.of("/tree/b"))));
    }
  }

  @Test
  void throwingListener_isReported_andDoesNotStopOthers(ZooKeeperEnsemble zk, TestClients clients)
      throws Exception {
    List<String> errors = new CopyOnWriteArrayList<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Baton b =
        Baton.builder(zk.connectString())
            .namespace(clients.chroot().toString())
            .meterRegistry(registry)
            .errorHandler((what, error) -> errors.add(what + ": " + error.getMessage()))
            .build()) {
      Session w = writer(clients);
      Recorder rec = new Recorder();
      try (TreeCache cache = TreeCache.create(b, "/tree")) {
        cache.addListener(
            e -> {
              throw new IllegalStateException("boom");
            });
        cache.addListener(rec);
        cache.awaitInitialized(WAIT);
        create(w, "/tree/x", "1");
        await()
            .atMost(WAIT)
            .until(() -> rec.events.stream().anyMatch(e -> path(e).equals(ZkPath.of("/tree/x"))));
        assertThat(errors).anyMatch(s -> s.contains("listener of tree cache /tree"));
        assertThat(
                registry
                    .get("baton.cache.events")
                    .tags("kind", "tree", "path", "/tree", "type", "added")
                    .counter()
                    .count())
            .isGreaterThanOrEqualTo(2); // the root and /tree/x
      }
    }
  }
}
