package dev.baton.testkit;

import java.util.Locale;
import java.util.Optional;

/**
 * Where the servers of a {@link ZooKeeperEnsemble} run. All three run the same ZooKeeper 3.9.5
 * server code ({@code QuorumPeer}) as a real quorum; they differ in which faults they can suffer.
 *
 * <p>Immutable.
 */
public enum Backend {
  /**
   * Quorum peers in the test's own JVM: fastest start; stop, start and restart work, kill is a
   * stop, pause is not supported.
   */
  IN_PROCESS("inprocess"),
  /**
   * One child JVM per server ({@code QuorumPeerMain}): kill is SIGKILL, pause is SIGSTOP/SIGCONT.
   */
  PROCESS("process"),
  /**
   * One Testcontainers container per server on the host network: kill is the engine's kill, pause
   * the engine's pause. The image is {@code BATON_JRE_IMAGE} or {@value
   * ContainerServers#DEFAULT_IMAGE}.
   */
  CONTAINERS("containers");

  /**
   * Environment variable that picks the backend when code does not: {@code inprocess}, {@code
   * process}, {@code containers}.
   */
  public static final String ENV = "BATON_TESTKIT_BACKEND";

  private final String envName;

  Backend(String envName) {
    this.envName = envName;
  }

  /** The name used in {@value #ENV}. */
  public String envName() {
    return envName;
  }

  /** Parses a {@value #ENV} value; rejects unknown names with the accepted ones listed. */
  public static Backend parse(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (Backend b : values()) {
      if (b.envName.equals(v) || b.name().toLowerCase(Locale.ROOT).equals(v)) {
        return b;
      }
    }
    throw new IllegalArgumentException(
        "unknown testkit backend '"
            + value
            + "' (from "
            + ENV
            + "?): expected inprocess, process or containers");
  }

  /**
   * The backend to use when code does not choose: {@value #ENV} if set, else {@link #CONTAINERS}
   * when a Docker engine answers, else {@link #IN_PROCESS}.
   */
  public static Backend fromEnvironment() {
    Optional<String> env = Optional.ofNullable(System.getenv(ENV)).filter(s -> !s.isBlank());
    if (env.isPresent()) {
      return parse(env.get());
    }
    return ContainerServers.dockerAvailable() ? CONTAINERS : IN_PROCESS;
  }
}
