package dev.baton.testkit;

import dev.baton.core.Baton;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a {@link SoakWorkload} gets from the {@link Soak}: the ensemble, clients that faults can
 * reach, a client that faults never reach, and a random generator derived from the soak's seed.
 *
 * <p>Thread-safe: clients may be made from any thread.
 */
public final class SoakContext {

  /**
   * A session the fault schedule ended on the servers while its client was connected (an
   * EXPIRE_SESSION fault): no client can learn of that before the servers act, so a workload may
   * want to judge what happened around it apart.
   *
   * @param client the label given to {@link #client}
   * @param sessionId the session's id
   * @param startNanos {@link System#nanoTime()} when the fault began to end it
   * @param endNanos {@link System#nanoTime()} when the servers had ended it
   */
  public record EndedSession(String client, long sessionId, long startNanos, long endNanos) {}

  /** A workload client, the proxy it goes through and whether its workload marked it busy. */
  record Target(String name, Baton client, ClientProxy proxy, AtomicBoolean busy) {}

  private final ZooKeeperEnsemble ensemble;
  private final Baton admin;
  private final String namespace;
  private final Duration sessionTimeout;
  private final Random random;
  private final List<Target> targets;
  private final long startedNanos;
  private final List<EndedSession> endedSessions;

  SoakContext(
      ZooKeeperEnsemble ensemble,
      Baton admin,
      String namespace,
      Duration sessionTimeout,
      Random random,
      List<Target> targets,
      long startedNanos,
      List<EndedSession> endedSessions) {
    this.ensemble = ensemble;
    this.admin = admin;
    this.namespace = namespace;
    this.sessionTimeout = sessionTimeout;
    this.random = random;
    this.targets = targets;
    this.startedNanos = startedNanos;
    this.endedSessions = endedSessions;
  }

  /**
   * The sessions the fault schedule has ended on the servers so far (EXPIRE_SESSION faults), in
   * order; a snapshot.
   */
  public List<EndedSession> sessionsEndedByFaults() {
    return List.copyOf(endedSessions);
  }

  /**
   * A {@link System#nanoTime()} of this JVM as the soak's log writes times, {@code +12.345s} since
   * the soak started, so that a workload's findings can be lined up with the faults around them.
   */
  public String timeOf(long nanoTime) {
    return SoakClock.format(nanoTime - startedNanos);
  }

  static List<Target> newTargetList() {
    return new CopyOnWriteArrayList<>();
  }

  static List<EndedSession> newEndedSessionList() {
    return new CopyOnWriteArrayList<>();
  }

  /** The ensemble under test. */
  public ZooKeeperEnsemble ensemble() {
    return ensemble;
  }

  /** The session timeout of every {@link #client}. */
  public Duration sessionTimeout() {
    return sessionTimeout;
  }

  /** A generator seeded from the soak's seed and the workload's position: replays with the seed. */
  public Random random() {
    return random;
  }

  /**
   * A new client in the soak's namespace, through its own {@link ClientProxy}: the fault schedule
   * may cut it off or expire its session. The soak closes it after every workload stopped.
   *
   * @param name a label for the schedule's output
   */
  public Baton client(String name) {
    ClientProxy proxy = ensemble.newProxy();
    Baton client =
        Baton.builder(proxy.connectString())
            .namespace(namespace)
            .sessionTimeout(sessionTimeout)
            .connectionTimeout(sessionTimeout)
            .build();
    targets.add(new Target(name, client, proxy, new AtomicBoolean()));
    return client;
  }

  /**
   * Marks a client made by {@link #client} as busy (holding a lock, leading, holding a delivery) or
   * not. Half of the schedule's client faults strike a client that is busy at that moment (see
   * {@link FaultSchedule.Fault#target}), so losses in the middle of work are tested, not only those
   * of idle clients.
   *
   * @throws IllegalArgumentException if {@code client} was not made by {@link #client}
   */
  public void busy(Baton client, boolean busy) {
    targets.stream()
        .filter(t -> t.client() == client)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("not a client of this soak: " + client))
        .busy()
        .set(busy);
  }

  /**
   * A client in the soak's namespace connected straight to the servers, never cut off or expired:
   * for reading the servers' final state. Shared; do not close it.
   */
  public Baton admin() {
    return admin;
  }
}
