package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.NotAuthorizedException;
import dev.baton.core.Session;
import dev.baton.core.TlsSettings;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A secured ensemble (TLS client port with generated certificates, client certificates required)
 * and digest ACLs set through the client's ACL provider, against real servers.
 */
class SecuredEnsembleTest {

  static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * Far longer than any bound below: an authorization error that were retried would keep the call
   * going this long.
   */
  static final Duration CLIENT_CONNECTION_TIMEOUT = Duration.ofSeconds(60);

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

  static Baton.Builder client(String connectString) {
    return Baton.builder(connectString)
        .namespace("/secured-" + UUID.randomUUID())
        .sessionTimeout(Duration.ofSeconds(6))
        .connectionTimeout(CLIENT_CONNECTION_TIMEOUT);
  }

  static Baton.Builder sameNamespace(Baton other, String connectString) {
    return Baton.builder(connectString)
        .namespace(other.namespace().toString())
        .sessionTimeout(Duration.ofSeconds(6))
        .connectionTimeout(CLIENT_CONNECTION_TIMEOUT);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The failure of {@code f}, which must come well before the client's connection timeout. */
  static Throwable failureOf(CompletableFuture<?> f) throws Exception {
    try {
      f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure, got " + f.join());
  }

  @Test
  void tlsMaterial_isGeneratedInTheDataFolder_withSecurePortsOfItsOwn() {
    assertThat(tls.directory()).startsWith(zk.dataRoot());
    assertThat(tls.directory().resolve("server.p12")).isRegularFile();
    assertThat(tls.secureConnectString()).startsWith("127.0.0.1:");
    assertThat(tls.secureConnectString()).isNotEqualTo(zk.connectString());
    assertThat(zk.allPorts()).hasSize(4);
  }

  @Test
  void aSecondSecuredInProcessEnsemble_isRefusedWhileOneIsOpen() {
    assumeThat(zk.backend()).isEqualTo(Backend.IN_PROCESS);
    assertThatThrownBy(
            () ->
                ZooKeeperEnsemble.builder()
                    .size(1)
                    .backend(Backend.IN_PROCESS)
                    .requireDigestAuth()
                    .start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only one can run at a time");
    assertThatThrownBy(
            () -> ZooKeeperEnsemble.builder().size(1).backend(Backend.CONTAINERS).tls().start())
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("containers backend");
  }

  @Test
  void creatorOnlyNode_isUnreadableWithoutTheCredentials_andReadableWithThem() throws Exception {
    try (Baton owner = client(zk.connectString()).digestAuth("alice", "s3cret").build();
        Baton anonymous = sameNamespace(owner, zk.connectString()).build();
        Baton stranger =
            sameNamespace(owner, zk.connectString()).digestAuth("mallory", "guess").build();
        Baton sameUser =
            sameNamespace(owner, zk.connectString()).digestAuth("alice", "s3cret").build()) {
      Session s = owner.awaitSession(WAIT);
      ZkPath cfg = ZkPath.of("/config/app");
      s.ensurePath(cfg.parent().orElseThrow(), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
      s.create(cfg, utf8("secret=1"), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);

      for (Baton outsider : List.of(anonymous, stranger)) {
        Session o = outsider.awaitSession(WAIT);
        assertThat(failureOf(o.getData(cfg, Optional.empty())))
            .isInstanceOfSatisfying(
                NotAuthorizedException.class,
                e -> assertThat(e.code()).isEqualTo(KeeperException.Code.NOAUTH))
            .hasMessageContaining("/config/app");
        assertThat(failureOf(o.setData(cfg, utf8("secret=2"), -1)))
            .isInstanceOf(NotAuthorizedException.class);
        assertThat(failureOf(o.delete(cfg, -1))).isInstanceOf(NotAuthorizedException.class);
        assertThat(o.isConnected()).as("an authorization error does not end the session").isTrue();
      }

      Session same = sameUser.awaitSession(WAIT);
      assertThat(same.getData(cfg, Optional.empty()).get(30, TimeUnit.SECONDS).orElseThrow().data())
          .isEqualTo(utf8("secret=1"));
    }
  }

  @Test
  void ensurePath_givesEveryParentItCreates_theAclOfTheEnsuredPath() throws Exception {
    try (Baton owner = client(zk.connectString()).digestAuth("alice", "s3cret").build()) {
      Session s = owner.awaitSession(WAIT);
      s.ensurePath(ZkPath.of("/a/b/c"), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
      for (String p : List.of("", "/a", "/a/b", "/a/b/c")) {
        List<ACL> acl =
            owner
                .curator()
                .getZookeeperClient()
                .getZooKeeper()
                .getACL(owner.namespace() + p, new Stat());
        assertThat(acl).as(p).hasSize(1);
        assertThat(acl.get(0).getPerms()).isEqualTo(ZooDefs.Perms.ALL);
        assertThat(acl.get(0).getId().getScheme()).isEqualTo("digest");
        assertThat(acl.get(0).getId().getId()).startsWith("alice:");
      }
    }
  }

  @Test
  void creatorAll_withoutAuthInfo_cannotCreate() throws Exception {
    try (Baton noAuth =
        client(zk.connectString()).aclProvider(dev.baton.core.AclProvider.creatorAll()).build()) {
      Session s = noAuth.awaitSession(WAIT);
      assertThat(failureOf(s.ensurePath(ZkPath.of("/x"), CreateMode.PERSISTENT)))
          .isInstanceOfSatisfying(
              ZooKeeperOperationException.class,
              e -> assertThat(e.code()).isEqualTo(KeeperException.Code.INVALIDACL));
    }
  }

  @Test
  void clientWithTheGeneratedCertificate_worksOverTls() throws Exception {
    try (Baton c = client(tls.secureConnectString()).tls(tls.clientSettings()).build()) {
      Session s = c.awaitSession(WAIT);
      ZkPath p = ZkPath.of("/over-tls");
      s.ensurePath(ZkPath.root(), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
      s.create(p, utf8("hi"), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
      assertThat(s.getData(p, Optional.empty()).get(30, TimeUnit.SECONDS).orElseThrow().data())
          .isEqualTo(utf8("hi"));
    }
  }

  /**
   * Over mutual TLS the server also authenticates the client as {@code x509:<certificate subject>},
   * and ZooKeeper's creator ACL grants every identity of the creating connection: a client
   * presenting the same certificate is "the creator" too, with or without the digest.
   */
  @Test
  void overMutualTls_creatorAll_alsoGrantsTheCertificateIdentity() throws Exception {
    try (Baton owner =
            client(tls.secureConnectString())
                .tls(tls.clientSettings())
                .digestAuth("alice", "s3cret")
                .build();
        Baton sameCertificate =
            sameNamespace(owner, tls.secureConnectString()).tls(tls.clientSettings()).build();
        Baton plainAnonymous = sameNamespace(owner, zk.connectString()).build()) {
      Session s = owner.awaitSession(WAIT);
      ZkPath p = ZkPath.of("/both");
      s.ensurePath(ZkPath.root(), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);
      s.create(p, utf8("x"), CreateMode.PERSISTENT).get(30, TimeUnit.SECONDS);

      List<ACL> acl =
          owner
              .curator()
              .getZookeeperClient()
              .getZooKeeper()
              .getACL(owner.namespace() + "/both", new Stat());
      assertThat(acl.stream().map(a -> a.getId().getScheme()))
          .containsExactlyInAnyOrder("digest", "x509");
      assertThat(
              sameCertificate
                  .awaitSession(WAIT)
                  .getData(p, Optional.empty())
                  .get(30, TimeUnit.SECONDS))
          .isPresent();
      assertThat(failureOf(plainAnonymous.awaitSession(WAIT).getData(p, Optional.empty())))
          .isInstanceOf(NotAuthorizedException.class);
    }
  }

  @Test
  void clientWithoutACertificate_isRefused() throws Exception {
    assertNeverGetsASession(tls.noClientCertificateSettings());
  }

  @Test
  void clientWithACertificateTheServersDoNotTrust_isRefused() throws Exception {
    TlsSettings wrong = tls.untrustedClientSettings();
    assertThat(wrong.keyStore()).isPresent();
    assertThat(Files.exists(wrong.keyStore().get())).isTrue();
    assertNeverGetsASession(wrong);
  }

  @Test
  void plainClient_onTheSecurePort_isRefused() throws Exception {
    try (Baton c =
        client(tls.secureConnectString()).connectionTimeout(Duration.ofSeconds(3)).build()) {
      assertThatThrownBy(() -> c.awaitSession(Duration.ofSeconds(5)))
          .isInstanceOf(BatonTimeoutException.class);
      assertThat(c.currentSession()).isEmpty();
    }
  }

  private static void assertNeverGetsASession(TlsSettings settings) throws Exception {
    try (Baton c =
        client(tls.secureConnectString())
            .tls(settings)
            .connectionTimeout(Duration.ofSeconds(3))
            .build()) {
      assertThatThrownBy(() -> c.awaitSession(Duration.ofSeconds(5)))
          .isInstanceOf(BatonTimeoutException.class);
      assertThat(c.currentSession()).isEmpty();
    }
    // The servers still serve clients that present the right certificate.
    try (Baton ok = client(tls.secureConnectString()).tls(tls.clientSettings()).build()) {
      assertThat(ok.awaitSession(WAIT).isConnected()).isTrue();
    }
  }
}
