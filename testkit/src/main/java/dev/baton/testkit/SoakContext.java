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

  /** A workload client, the proxy it goes through and whether its workload marked it busy. */
  record Target(String name, Baton client, ClientProxy proxy, AtomicBoolean busy) {}

  private final ZooKeeperEnsemble ensemble;
  private final Baton admin;
  private final String namespace;
  private final Duration sessionTimeout;
  private final Random random;
  private final List<Target> targets;
  private final long startedNanos;

  SoakContext(
      ZooKeeperEnsemble ensemble,
      Baton admin,
      String namespace,
      Duration sessionTimeout,
      Random random,
      List<Target> targets,
      long startedNanos) {
    this.ensemble = ensemble;
    this.admin = admin;
    this.namespace = namespace;
    this.sessionTimeout = sessionTimeout;
    this.random = random;
    this.targets = targets;
    this.startedNanos = startedNanos;
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
