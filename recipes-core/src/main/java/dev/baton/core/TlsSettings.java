package dev.baton.core;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS for the client's connections to the ensemble (ZooKeeper's Netty client socket with {@code
 * zookeeper.client.secure}). A trust store is required; a key store is needed when servers demand
 * client certificates.
 *
 * <p>Immutable. {@link #toString()} hides the passwords.
 *
 * @param trustStore the trust store file (JKS or PKCS12)
 * @param trustStorePassword its password
 * @param keyStore the client's key store, if servers ask for a client certificate
 * @param keyStorePassword its password (empty string when there is no key store)
 * @param hostnameVerification whether the server's certificate must name the host connected to
 */
public record TlsSettings(
    Path trustStore,
    String trustStorePassword,
    Optional<Path> keyStore,
    String keyStorePassword,
    boolean hostnameVerification) {

  public TlsSettings {
    Objects.requireNonNull(trustStore, "trustStore");
    Objects.requireNonNull(trustStorePassword, "trustStorePassword");
    Objects.requireNonNull(keyStore, "keyStore");
    Objects.requireNonNull(keyStorePassword, "keyStorePassword");
  }

  /**
   * Server authentication only: trust these servers, present no client certificate, verify host
   * names.
   */
  public static TlsSettings trusting(Path trustStore, String password) {
    return new TlsSettings(trustStore, password, Optional.empty(), "", true);
  }

  /** Adds a client certificate (mutual TLS). */
  public TlsSettings withKeyStore(Path keyStore, String password) {
    return new TlsSettings(
        trustStore, trustStorePassword, Optional.of(keyStore), password, hostnameVerification);
  }

  /**
   * Turns host name verification on or off (off is for test certificates issued to no host name).
   */
  public TlsSettings withHostnameVerification(boolean verify) {
    return new TlsSettings(trustStore, trustStorePassword, keyStore, keyStorePassword, verify);
  }

  @Override
  public String toString() {
    return "TlsSettings[trustStore="
        + trustStore
        + ", keyStore="
        + keyStore.map(Path::toString).orElse("none")
        + ", hostnameVerification="
        + hostnameVerification
        + "]";
  }
}
