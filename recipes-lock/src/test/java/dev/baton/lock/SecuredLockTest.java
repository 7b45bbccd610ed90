package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.core.Baton;
import dev.baton.core.HoldState;
import dev.baton.core.NotAuthorizedException;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.EnsembleTls;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Locks with creator-only ACLs (digest auth) and over mutual TLS, on a secured ensemble: outsiders
 * get a clear {@link NotAuthorizedException} at once, never a retry loop or a silent wait.
 */
class SecuredLockTest {

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
    return "/secured-lock-" + UUID.randomUUID();
  }

  @Test
  void creatorOnlyLock_outsidersCannotDeleteTheHoldersNodeNorAcquire_sameUserCanAfterRelease()
      throws Exception {
    String ns = freshNamespace();
    try (Baton alice = client(zk.connectString(), ns).digestAuth("alice", "s3cret").build();
        Baton anonymous = client(zk.connectString(), ns).build();
        Baton mallory = client(zk.connectString(), ns).digestAuth("mallory", "guess").build();
        Baton aliceToo = client(zk.connectString(), ns).digestAuth("alice", "s3cret").build()) {
      LockLease lease = DistributedLock.create(alice, "/locks/billing").acquire(WAIT);

      for (Baton outsider : List.of(anonymous, mallory)) {
        Session s = outsider.awaitSession(WAIT);
        assertThatThrownBy(() -> s.delete(lease.node(), -1).get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOfSatisfying(
                NotAuthorizedException.class,
                e -> assertThat(e.code()).isEqualTo(KeeperException.Code.NOAUTH));
        DistributedLock theirs = DistributedLock.create(outsider, "/locks/billing");
        assertThatThrownBy(
                () ->
                    theirs
                        .acquireAsync(WAIT.multipliedBy(10))
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("fails at once, not after the acquire timeout")
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(NotAuthorizedException.class)
            .hasMessageContaining("/locks/billing");
        assertThatThrownBy(() -> theirs.acquire(WAIT.multipliedBy(10)))
            .isInstanceOf(NotAuthorizedException.class);
      }
      assertThat(lease.state()).isEqualTo(HoldState.HELD);
      assertThat(
              alice
                  .awaitSession(WAIT)
                  .exists(lease.node(), Optional.empty())
                  .get(30, TimeUnit.SECONDS))
          .isPresent();

      DistributedLock sameUsersLock = DistributedLock.create(aliceToo, "/locks/billing");
      assertThat(sameUsersLock.tryAcquire(Duration.ofMillis(200))).isEmpty();
      lease.close();
      try (LockLease next = sameUsersLock.acquire(WAIT)) {
        assertThat(next.fencingToken()).isGreaterThan(lease.fencingToken());
      }
    }
  }

  @Test
  void everyNodeTheLockRecipesCreate_carriesTheProvidersAcl() throws Exception {
    String ns = freshNamespace();
    try (Baton alice = client(zk.connectString(), ns).digestAuth("alice", "s3cret").build()) {
      byte[] data = "x".getBytes(StandardCharsets.UTF_8);
      try (LockLease lock = DistributedLock.create(alice, "/locks/a").acquire(WAIT);
          PermitLease permit = DistributedSemaphore.create(alice, "/sem/s", 2).acquire(WAIT);
          MultiLease multi = MultiLock.create(alice, "/multi/x", "/multi/y").acquire(WAIT);
          LockLease write = ReadWriteLock.create(alice, "/rw").writeLock().acquire(WAIT);
          LeaderElection election = LeaderElection.create(alice, "/elect", "p1")) {
        election.start();
        org.awaitility.Awaitility.await().atMost(WAIT).until(election::isLeader);
        lock.guardedWrite()
            .create(ZkPath.of("/locks/guarded"), data, CreateMode.PERSISTENT)
            .commit();
        permit
            .guardedWrite()
            .create(ZkPath.of("/sem/guarded"), data, CreateMode.PERSISTENT)
            .commit();
        assertThat(multi.state()).isEqualTo(HoldState.HELD);
        assertThat(write.state()).isEqualTo(HoldState.HELD);

        Map<String, List<ACL>> acls = aclsUnder(alice);
        assertThat(acls).hasSizeGreaterThan(10);
        assertThat(acls)
            .allSatisfy(
                (path, acl) ->
                    assertThat(acl)
                        .as(path)
                        .singleElement()
                        .satisfies(
                            a -> {
                              assertThat(a.getPerms()).isEqualTo(ZooDefs.Perms.ALL);
                              assertThat(a.getId().getScheme()).isEqualTo("digest");
                              assertThat(a.getId().getId()).startsWith("alice:");
                            }));
      }
    }
  }

  @Test
  void lockAcquireAndHandoff_overMutualTls() throws Exception {
    String ns = freshNamespace();
    try (Baton a = client(tls.secureConnectString(), ns).tls(tls.clientSettings()).build();
        Baton b = client(tls.secureConnectString(), ns).tls(tls.clientSettings()).build()) {
      DistributedLock lockA = DistributedLock.create(a, "/locks/tls");
      DistributedLock lockB = DistributedLock.create(b, "/locks/tls");
      LockLease first = lockA.acquire(WAIT);
      var waiting = lockB.acquireAsync(WAIT);
      assertThat(lockB.tryAcquire(Duration.ofMillis(100))).isEmpty();
      assertThat(waiting).isNotDone();
      first.close();
      try (LockLease second = waiting.get(30, TimeUnit.SECONDS)) {
        assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
        assertThat(second.state()).isEqualTo(HoldState.HELD);
      }
    }
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
