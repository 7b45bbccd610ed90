package dev.baton.testkit;

import dev.baton.core.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * TLS material an ensemble generated for one test run, and the client settings that go with it.
 * Servers of a TLS ensemble ({@link ZooKeeperEnsemble.Builder#tls()}) listen on a secure client
 * port besides the plain one, present the server certificate, and demand a client certificate
 * ({@code ssl.clientAuth=need}) that their trust store holds.
 *
 * <p>Everything is made at ensemble start with the JDK's {@code keytool} (run as a child process of
 * the JDK running the tests) in the ensemble's data folder, and deleted with it: self-signed RSA
 * key pairs (no CA) in PKCS12 stores with random passwords, valid for two days, each naming {@code
 * DNS:localhost} and {@code IP:127.0.0.1} so that host name verification stays on. No key file is
 * ever committed anywhere.
 *
 * <ul>
 *   <li>server key store: one key pair shared by all servers;
 *   <li>server trust store: the client certificate only;
 *   <li>client key store and client trust store (the server certificate only);
 *   <li>{@link #untrustedClientSettings()}: a second client key pair the servers do not trust, made
 *       on first use, to check that a wrong certificate is refused.
 * </ul>
 *
 * <p>The plain client port stays open (the testkit's own probes use it); tests of TLS connect to
 * {@link #secureConnectString()}.
 *
 * <p>Thread-safe: immutable apart from the lazily made untrusted key store (made under a lock).
 */
public final class EnsembleTls {

  private static final String VALIDITY_DAYS = "2";
  private static final String SAN = "SAN=dns:localhost,ip:127.0.0.1";

  private final Path dir;
  private final String password;
  private final String secureConnectString;
  private final ReentrantLock untrustedLock = new ReentrantLock();
  private Path untrustedKeyStore;

  private EnsembleTls(Path dir, String password, String secureConnectString) {
    this.dir = dir;
    this.password = password;
    this.secureConnectString = secureConnectString;
  }

  /** Makes the key pairs and stores in {@code dir} (created if missing). */
  static EnsembleTls generate(Path dir, List<Integer> securePorts) {
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    String connect = String.join(",", securePorts.stream().map(p -> "127.0.0.1:" + p).toList());
    EnsembleTls tls = new EnsembleTls(dir, password, connect);
    try {
      Files.createDirectories(dir);
      tls.keyPair("server", "CN=localhost, O=Baton testkit server", tls.serverKeyStore());
      tls.keyPair("client", "CN=localhost, O=Baton testkit client", tls.clientKeyStore());
      tls.trustStoreOf(tls.clientKeyStore(), "client", tls.serverTrustStore());
      tls.trustStoreOf(tls.serverKeyStore(), "server", tls.clientTrustStore());
    } catch (IOException e) {
      throw new UncheckedIOException("generating TLS material in " + dir, e);
    }
    return tls;
  }

  /** {@code 127.0.0.1:s1,127.0.0.1:s2,...}: the servers' secure client ports. */
  public String secureConnectString() {
    return secureConnectString;
  }

  /**
   * Mutual TLS as the servers expect it: trusts the server certificate, presents the client
   * certificate, verifies host names.
   */
  public TlsSettings clientSettings() {
    return TlsSettings.trusting(clientTrustStore(), password)
        .withKeyStore(clientKeyStore(), password);
  }

  /** Trusts the servers but presents no client certificate: the servers refuse the handshake. */
  public TlsSettings noClientCertificateSettings() {
    return TlsSettings.trusting(clientTrustStore(), password);
  }

  /**
   * Trusts the servers and presents a certificate from another generated key pair, which the
   * servers do not trust: they refuse the handshake. The key pair is made on first call.
   */
  public TlsSettings untrustedClientSettings() {
    untrustedLock.lock();
    try {
      if (untrustedKeyStore == null) {
        Path ks = dir.resolve("untrusted-client.p12");
        try {
          keyPair("intruder", "CN=localhost, O=Somebody else", ks);
        } catch (IOException e) {
          throw new UncheckedIOException("generating the untrusted client key pair", e);
        }
        untrustedKeyStore = ks;
      }
      return TlsSettings.trusting(clientTrustStore(), password)
          .withKeyStore(untrustedKeyStore, password);
    } finally {
      untrustedLock.unlock();
    }
  }

  /** The folder holding the stores (inside the ensemble's data folder). */
  public Path directory() {
    return dir;
  }

  @Override
  public String toString() {
    return "EnsembleTls[" + secureConnectString + ", " + dir + "]";
  }

  // ---- server side (zoo.cfg lines)

  /** The zoo.cfg lines of a server with a secure client port. */
  String serverConfig(int securePort) {
    return "secureClientPort="
        + securePort
        + "\nsecureClientPortAddress=127.0.0.1"
        + "\nserverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory"
        + "\nssl.keyStore.location="
        + serverKeyStore()
        + "\nssl.keyStore.password="
        + password
        + "\nssl.keyStore.type=PKCS12"
        + "\nssl.trustStore.location="
        + serverTrustStore()
        + "\nssl.trustStore.password="
        + password
        + "\nssl.trustStore.type=PKCS12"
        + "\nssl.clientAuth=need\n";
  }

  private Path serverKeyStore() {
    return dir.resolve("server.p12");
  }

  private Path serverTrustStore() {
    return dir.resolve("server-trust.p12");
  }

  private Path clientKeyStore() {
    return dir.resolve("client.p12");
  }

  private Path clientTrustStore() {
    return dir.resolve("client-trust.p12");
  }

  // ---- generation

  private void keyPair(String alias, String dname, Path keyStore) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(
        List.of(
            "-genkeypair",
            "-noprompt",
            "-alias",
            alias,
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-validity",
            VALIDITY_DAYS,
            "-dname",
            dname,
            "-ext",
            SAN,
            "-storetype",
            "PKCS12",
            "-keystore",
            keyStore.toString(),
            "-storepass",
            password,
            "-keypass",
            password));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (InputStream out = p.getInputStream()) {
      String text = new String(out.readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool did not finish within 60 s making " + keyStore);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "keytool failed (exit " + p.exitValue() + ") making " + keyStore + ": " + text);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }

  /** A PKCS12 trust store holding the certificate of {@code alias} in {@code keyStore}. */
  private void trustStoreOf(Path keyStore, String alias, Path trustStore) throws IOException {
    try {
      KeyStore source = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keyStore)) {
        source.load(in, password.toCharArray());
      }
      Certificate cert = source.getCertificate(alias);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry(alias, cert);
      try (OutputStream out = Files.newOutputStream(trustStore)) {
        trust.store(out, password.toCharArray());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("making trust store " + trustStore, e);
    }
  }
}
