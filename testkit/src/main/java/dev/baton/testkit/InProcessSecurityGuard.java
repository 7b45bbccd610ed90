package dev.baton.testkit;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * In-process servers take their TLS and auth-enforcement settings from JVM-wide system properties
 * ({@code zoo.cfg} keys that ZooKeeper does not know, such as {@code ssl.keyStore.location}, {@code
 * serverCnxnFactory} and {@code enforce.auth.enabled}, become {@code zookeeper.*} system properties
 * when the config is parsed). So one JVM can run only one secured in-process ensemble at a time;
 * this guard enforces that and puts the properties back as they were when the ensemble closes.
 *
 * <p>Thread-safe: a static flag moved by CAS; an instance is confined to its ensemble.
 */
final class InProcessSecurityGuard {

  private static final AtomicBoolean TAKEN = new AtomicBoolean();

  private static final List<String> PROPERTIES =
      List.of(
          "zookeeper.serverCnxnFactory",
          "zookeeper.ssl.keyStore.location",
          "zookeeper.ssl.keyStore.password",
          "zookeeper.ssl.keyStore.type",
          "zookeeper.ssl.trustStore.location",
          "zookeeper.ssl.trustStore.password",
          "zookeeper.ssl.trustStore.type",
          "zookeeper.ssl.clientAuth",
          "zookeeper.enforce.auth.enabled",
          "zookeeper.enforce.auth.schemes");

  private final Map<String, String> saved = new HashMap<>();
  private boolean released;

  private InProcessSecurityGuard() {
    for (String p : PROPERTIES) {
      saved.put(p, System.getProperty(p));
    }
  }

  /**
   * Takes the JVM's single secured in-process slot.
   *
   * @throws IllegalStateException if another secured in-process ensemble is open in this JVM
   */
  static InProcessSecurityGuard acquire() {
    if (!TAKEN.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "another secured (TLS or auth-enforcing) in-process ensemble is open in this JVM:"
              + " in-process servers read these settings from JVM-wide system properties, so only"
              + " one can run at a time; close it first or use Backend.PROCESS");
    }
    return new InProcessSecurityGuard();
  }

  /** Restores the system properties and frees the slot; idempotent. */
  void release() {
    if (released) {
      return;
    }
    released = true;
    saved.forEach(
        (k, v) -> {
          if (v == null) {
            System.clearProperty(k);
          } else {
            System.setProperty(k, v);
          }
        });
    TAKEN.set(false);
  }
}
