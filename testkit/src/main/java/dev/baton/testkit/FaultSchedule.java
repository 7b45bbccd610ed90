package dev.baton.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A sequence of faults drawn from a seed: the same seed, length, ensemble size, client count and
 * pause support give the same schedule, so a failing {@link Soak} can be replayed. Faults never
 * overlap: each is healed, and the soak waits for a quorum, before the next gap starts.
 *
 * <p>Immutable.
 *
 * @param seed the seed it was drawn from
 * @param faults the faults in order
 */
public record FaultSchedule(long seed, List<Fault> faults) {

  /** Copies the list. */
  public FaultSchedule {
    faults = List.copyOf(faults);
  }

  /** What a fault does. */
  public enum Kind {
    /** SIGKILL the current leader; start it again after {@link Fault#duration}. */
    KILL_LEADER,
    /**
     * SIGKILL a follower (the {@link Fault#target}-th, modulo); start it again after the duration.
     */
    KILL_FOLLOWER,
    /** Stop server {@link Fault#target} gracefully and start it again at once. */
    RESTART_SERVER,
    /** SIGSTOP server {@link Fault#target} for the duration (process and containers backends). */
    PAUSE_SERVER,
    /**
     * End the session of a workload client on the servers while it is connected (see {@link
     * Fault#target} for which one).
     */
    EXPIRE_SESSION,
    /**
     * Cut a workload client off from every server for the duration (see {@link Fault#target} for
     * which one).
     */
    CUT_OFF_CLIENT,
    /**
     * Partition a workload client silently for the duration: its connections stay open and every
     * byte is dropped ({@link ClientProxy#partition}), so it learns only by its read timeout and
     * the servers by the session timeout (see {@link Fault#target} for which client).
     */
    PARTITION_CLIENT
  }

  /**
   * One fault.
   *
   * @param gapBefore how long the soak runs undisturbed before the fault
   * @param kind what it does
   * @param target a server id (1-based) or a client index, per {@link Kind}. For the client faults
   *     the schedule draws it below twice the number of clients: {@code target < clients} names
   *     that client (in the order workloads made them); {@code target >= clients} names the {@code
   *     (target - clients)}-th (modulo) of the clients a workload marked {@linkplain
   *     SoakContext#busy busy} when the fault strikes (holding a lock, leading, holding a
   *     delivery), or client {@code target % clients} if none is busy. Half the client faults thus
   *     hit a client in the middle of something, where loss and its signalling are tested.
   * @param duration how long the fault lasts before it is healed (zero for instant faults)
   */
  public record Fault(Duration gapBefore, Kind kind, int target, Duration duration) {
    /** Rejects negative times and targets. */
    public Fault {
      Objects.requireNonNull(kind, "kind");
      if (gapBefore.isNegative() || duration.isNegative() || target < 0) {
        throw new IllegalArgumentException(
            "negative gap, duration or target: " + gapBefore + ", " + duration + ", " + target);
      }
    }

    @Override
    public String toString() {
      return "+"
          + gapBefore.toMillis()
          + "ms "
          + kind
          + " target="
          + target
          + " for "
          + duration.toMillis()
          + "ms";
    }
  }

  /**
   * Draws a schedule whose gaps and fault durations add up to about {@code length}.
   *
   * @param servers the ensemble size
   * @param clients how many workload clients can be cut off or expired (0: none of those faults)
   * @param pause whether the backend can pause servers
   * @throws IllegalArgumentException if {@code servers < 1}, {@code clients < 0} or the length is
   *     not positive
   */
  public static FaultSchedule draw(
      long seed, Duration length, int servers, int clients, boolean pause) {
    if (servers < 1 || clients < 0 || length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException(
          "need servers >= 1, clients >= 0, a positive length; got "
              + servers
              + ", "
              + clients
              + ", "
              + length);
    }
    List<Kind> kinds = new ArrayList<>(List.of(Kind.KILL_LEADER, Kind.RESTART_SERVER));
    if (servers > 1) {
      kinds.add(Kind.KILL_FOLLOWER);
    }
    if (pause) {
      kinds.add(Kind.PAUSE_SERVER);
    }
    if (clients > 0) {
      kinds.addAll(List.of(Kind.EXPIRE_SESSION, Kind.CUT_OFF_CLIENT, Kind.PARTITION_CLIENT));
    }
    Random random = new Random(seed);
    List<Fault> faults = new ArrayList<>();
    long budget = length.toMillis();
    while (budget > 0) {
      Kind kind = kinds.get(random.nextInt(kinds.size()));
      Duration gap = Duration.ofMillis(1_000 + random.nextInt(3_000));
      int target =
          switch (kind) {
            case EXPIRE_SESSION, CUT_OFF_CLIENT, PARTITION_CLIENT -> random.nextInt(2 * clients);
            case KILL_FOLLOWER -> random.nextInt(servers - 1);
            default -> 1 + random.nextInt(servers);
          };
      Duration duration =
          switch (kind) {
            case CUT_OFF_CLIENT, PARTITION_CLIENT ->
                Duration.ofMillis(1_000 + random.nextInt(9_001));
            case KILL_LEADER, KILL_FOLLOWER, PAUSE_SERVER ->
                Duration.ofMillis(500 + random.nextInt(4_500));
            default -> Duration.ZERO;
          };
      faults.add(new Fault(gap, kind, target, duration));
      // A heal and the wait for a quorum take a few seconds on top of the fault itself.
      budget -= gap.toMillis() + duration.toMillis() + 3_000;
    }
    return new FaultSchedule(seed, faults);
  }

  /** One fault per line, numbered. */
  public String describe() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < faults.size(); i++) {
      lines.add("  #" + (i + 1) + " " + faults.get(i));
    }
    return lines.stream().collect(Collectors.joining("\n"));
  }
}
