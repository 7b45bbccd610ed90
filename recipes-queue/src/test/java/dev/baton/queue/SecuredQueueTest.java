package dev.baton.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.AclProvider;
import dev.baton.core.Baton;
import dev.baton.core.Codec;
import dev.baton.core.NotAuthorizedException;
import dev.baton.core.ZkPath;
import dev.baton.testkit.EnsembleTls;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Work queues with creator-only ACLs (digest auth) and over mutual TLS, on a secured ensemble.
 * Clients sharing a queue share the digest credentials (the digest identity is the "creator");
 * outsiders get a clear {@link NotAuthorizedException} at once, not an endless retry or a silent
 * empty poll.
 */
class SecuredQueueTest {

  static final Duration WAIT = Duration.ofSeconds(30);

  /** Far longer than WAIT: a retried authorization error would still be running at WAIT. */
  static final Duration CLIENT_CONNECTION_TIMEOUT = Duration.ofSeconds(90);

  static ZooKeeperEnsemble zk;
  static EnsembleTls tls;

  @BeforeAll
  static void startSecuredEnsemble() {
    // With no backend chosen, a TLS ensemble runs in-process or as child processes (never in
    // containers, which cannot take the generated key stores): so this also runs in CI.
    zk = ZooKeeperEnsemble.builder().size(1).tls().start();
    tls = zk.tls().orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (zk != null) {
      zk.close();
    }
  }

  static Baton.Builder client(String connectString, String namespace) {
    return Baton.builder(connectString)
        .namespace(namespace)
        .sessionTimeout(Duration.ofSeconds(6))
        .connectionTimeout(CLIENT_CONNECTION_TIMEOUT);
  }

  static String freshNamespace() {
    return "/secured-queue-" + UUID.randomUUID();
  }

  @Test
  void creatorOnlyQueue_isSharedBySameCredentials_andRefusesOthersAtOnce() throws Exception {
    String ns = freshNamespace();
    try (Baton producer = client(zk.connectString(), ns).digestAuth("alice", "s3cret").build();
        Baton consumer = client(zk.connectString(), ns).digestAuth("alice", "s3cret").build();
        Baton anonymous = client(zk.connectString(), ns).build();
        Baton mallory = client(zk.connectString(), ns).digestAuth("mallory", "guess").build();
        WorkQueue<String> out = WorkQueue.create(producer, "/orders", Codec.utf8());
        WorkQueue<String> in = WorkQueue.create(consumer, "/orders", Codec.utf8())) {
      out.put("o-1");
      out.put("o-2");

      for (Baton outsider : List.of(anonymous, mallory)) {
        try (WorkQueue<String> theirs = WorkQueue.create(outsider, "/orders", Codec.utf8())) {
          assertThatThrownBy(
                  () ->
                      theirs
                          .pollAsync(WAIT.multipliedBy(10))
                          .get(WAIT.toSeconds(), TimeUnit.SECONDS))
              .as("fails at once, not an empty poll after the timeout")
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isInstanceOfSatisfying(
                  NotAuthorizedException.class,
                  e -> assertThat(e.code()).isEqualTo(KeeperException.Code.NOAUTH));
          assertThatThrownBy(() -> theirs.take(WAIT.multipliedBy(10)))
              .isInstanceOf(NotAuthorizedException.class);
          assertThatThrownBy(
                  () -> theirs.putAsync("forged", PutOptions.defaults()).get(30, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isInstanceOf(NotAuthorizedException.class);
        }
      }

      Delivery<String> first = in.take(WAIT);
      assertThat(first.item()).isEqualTo("o-1");
      first.ack();
      Delivery<String> second = in.take(WAIT);
      assertThat(second.item()).isEqualTo("o-2");
      second.ack();
      assertThat(in.poll(Duration.ofMillis(200))).isEmpty();
    }
  }

  @Test
  void managedConsumerWithoutCredentials_reportsTheRefusalOnce_andStops() throws Exception {
    String ns = freshNamespace();
    List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger handled =
        new java.util.concurrent.atomic.AtomicInteger();
    try (Baton producer = client(zk.connectString(), ns).digestAuth("alice", "s3cret").build();
        Baton anonymous =
            client(zk.connectString(), ns).errorHandler((what, e) -> reported.add(e)).build();
        WorkQueue<String> out = WorkQueue.create(producer, "/orders", Codec.utf8());
        WorkQueue<String> theirs = WorkQueue.create(anonymous, "/orders", Codec.utf8())) {
      out.put("o-1");
      try (QueueConsumer c =
          theirs.consume(
              item -> handled.incrementAndGet(), ConsumerOptions.defaults().withConcurrency(2))) {
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> c.refusal().isPresent());
        assertThat(c.refusal().get().code()).isEqualTo(KeeperException.Code.NOAUTH);
        // Not a retry loop: the refusal stays reported once while the consumer stays open.
        org.awaitility.Awaitility.await()
            .during(Duration.ofSeconds(1))
            .atMost(WAIT)
            .until(() -> reported.size() == 1);
        assertThat(reported.get(0)).isInstanceOf(NotAuthorizedException.class);
      }
      assertThat(handled).hasValue(0);
      Delivery<String> untouched = out.take(WAIT);
      assertThat(untouched.item()).isEqualTo("o-1");
      assertThat(untouched.isRedelivery()).isFalse();
      untouched.ack();
    }
  }

  /**
   * An ACL provider whose answer depends on the path (which queue folder the node sits in) sees
   * every node get the ACL meant for its own path: items, claims, ack bits and dead letters.
   */
  @Test
  void everyQueueNode_carriesTheProvidersAclForItsOwnPath() throws Exception {
    String ns = freshNamespace();
    AclProvider byFolder = SecuredQueueTest::markedAcl;
    try (Baton alice =
            client(zk.connectString(), ns)
                .digestAuth("alice", "s3cret")
                .aclProvider(byFolder)
                .build();
        WorkQueue<String> q = WorkQueue.create(alice, "/jobs", Codec.utf8())) {
      q.putAll(List.of("a", "b", "c"), PutOptions.defaults());
      Delivery<String> a = q.take(WAIT);
      a.ack(); // ack bits for the rest of the batch node
      q.take(WAIT).deadLetter("bad input").get(30, TimeUnit.SECONDS);
      try (Delivery<String> held = q.take(WAIT)) { // a live claim while we look
        Map<String, List<ACL>> acls = aclsUnder(alice);
        List<String> folders = new ArrayList<>();
        acls.forEach(
            (path, acl) -> {
              String folder = parentName(path);
              folders.add(folder);
              assertThat(acl)
                  .as(path)
                  .containsExactlyInAnyOrderElementsOf(expectedAcl(markOf(folder)));
            });
        assertThat(folders).contains("items", "claims", "acks", "dead");
        assertThat(held.item()).isEqualTo("c");
      }
    }
  }

  @Test
  void putAndTake_overMutualTls() throws Exception {
    String ns = freshNamespace();
    try (Baton producer = client(tls.secureConnectString(), ns).tls(tls.clientSettings()).build();
        Baton consumer = client(tls.secureConnectString(), ns).tls(tls.clientSettings()).build();
        WorkQueue<String> out = WorkQueue.create(producer, "/tls-q", Codec.utf8());
        WorkQueue<String> in = WorkQueue.create(consumer, "/tls-q", Codec.utf8())) {
      out.put("over-tls");
      Delivery<String> d = in.take(WAIT);
      assertThat(d.item()).isEqualTo("over-tls");
      d.ack();
      assertThat(in.poll(Duration.ofMillis(200))).isEmpty();
    }
  }

  // ---- the path-dependent provider

  static int markOf(String folder) {
    return switch (folder) {
      case "items" -> 2;
      case "claims" -> 3;
      case "acks" -> 4;
      case "dead" -> 5;
      default -> 1;
    };
  }

  static List<ACL> markedAcl(ZkPath path) {
    String folder = path.parent().map(ZkPath::name).orElse("");
    return List.of(
        new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.AUTH_IDS),
        new ACL(ZooDefs.Perms.READ, new Id("ip", "127.0.0." + markOf(folder))));
  }

  /** What the server stores for {@link #markedAcl}: the creator ACL becomes alice's digest. */
  static List<ACL> expectedAcl(int mark) {
    return List.of(
        new ACL(ZooDefs.Perms.ALL, new Id("digest", aliceDigest())),
        new ACL(ZooDefs.Perms.READ, new Id("ip", "127.0.0." + mark)));
  }

  static String aliceDigest() {
    try {
      return org.apache.zookeeper.server.auth.DigestAuthenticationProvider.generateDigest(
          "alice:s3cret");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String parentName(String serverPath) {
    String parent = serverPath.substring(0, serverPath.lastIndexOf('/'));
    return parent.substring(parent.lastIndexOf('/') + 1);
  }

  /** Every node under the client's namespace (the namespace node included) and its ACL. */
  static Map<String, List<ACL>> aclsUnder(Baton client) throws Exception {
    ZooKeeper raw = client.curator().getZookeeperClient().getZooKeeper();
    Map<String, List<ACL>> out = new TreeMap<>();
    List<String> todo = new ArrayList<>(List.of(client.namespace().toString()));
    while (!todo.isEmpty()) {
      String p = todo.remove(todo.size() - 1);
      try {
        out.put(p, raw.getACL(p, new Stat()));
        for (String child : raw.getChildren(p, false)) {
          todo.add(p + "/" + child);
        }
      } catch (KeeperException.NoNodeException gone) {
        // removed while we walked
      }
    }
    return out;
  }
}
