package dev.baton.testkit;

import dev.baton.testkit.FaultSchedule.Fault;
import dev.baton.testkit.SoakContext.Target;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.zookeeper.ZooKeeper;

/**
 * Applies one {@link Fault} to the ensemble or a workload client, waits its duration, heals it and
 * waits for a quorum. Confined to the soak's thread.
 */
final class FaultInjector {

  private static final Duration QUORUM_WAIT = Duration.ofSeconds(60);

  private final ZooKeeperEnsemble ensemble;
  private final List<Target> targets;
  private final List<SoakContext.EndedSession> ended;
  private final Consumer<String> log;
  private final long startedNanos;
  private long applied;
  private long skipped;

  FaultInjector(
      ZooKeeperEnsemble ensemble,
      List<Target> targets,
      List<SoakContext.EndedSession> ended,
      Consumer<String> log,
      long startedNanos) {
    this.ensemble = ensemble;
    this.targets = targets;
    this.ended = ended;
    this.log = log;
    this.startedNanos = startedNanos;
  }

  long applied() {
    return applied;
  }

  long skipped() {
    return skipped;
  }

  /** Applies, holds and heals the fault; returns when the ensemble serves again. */
  void inject(int number, Fault fault) throws InterruptedException {
    String from = SoakClock.format(System.nanoTime() - startedNanos);
    String what = apply(fault);
    String to = SoakClock.format(System.nanoTime() - startedNanos);
    if (what.startsWith("skipped")) {
      skipped++;
    } else {
      applied++;
    }
    log.accept(
        "soak fault #" + number + " [" + from + ".." + to + "] " + fault.kind() + ": " + what);
    ensemble.awaitQuorum(QUORUM_WAIT);
  }

  private String apply(Fault fault) throws InterruptedException {
    switch (fault.kind()) {
      case KILL_LEADER -> {
        int id = ensemble.killLeader();
        Thread.sleep(fault.duration().toMillis()); // the fault's length, not an ordering wait
        ensemble.startServer(id);
        return "killed leader " + id + ", restarted";
      }
      case KILL_FOLLOWER -> {
        int id = follower(fault.target());
        ensemble.killServer(id);
        Thread.sleep(fault.duration().toMillis());
        ensemble.startServer(id);
        return "killed follower " + id + ", restarted";
      }
      case RESTART_SERVER -> {
        ensemble.restartServer(fault.target());
        return "restarted server " + fault.target();
      }
      case PAUSE_SERVER -> {
        ensemble.pauseServer(fault.target());
        Thread.sleep(fault.duration().toMillis());
        ensemble.resumeServer(fault.target());
        return "paused server " + fault.target() + ", resumed";
      }
      case EXPIRE_SESSION -> {
        return expire(target(fault));
      }
      case CUT_OFF_CLIENT -> {
        Target t = target(fault);
        String who = label(t);
        t.proxy().cutOff();
        Thread.sleep(fault.duration().toMillis());
        t.proxy().heal();
        return "cut off client " + who + ", healed";
      }
      case PARTITION_CLIENT -> {
        Target t = target(fault);
        String who = label(t);
        t.proxy().partition();
        Thread.sleep(fault.duration().toMillis());
        t.proxy().heal();
        return "partitioned client " + who + " silently, healed";
      }
    }
    throw new IllegalStateException("unknown fault " + fault);
  }

  private String expire(Target t) {
    String who = label(t);
    ZooKeeper zk;
    try {
      zk = t.client().curator().getZookeeperClient().getZooKeeper();
    } catch (Exception e) {
      return "skipped: client " + t.name() + " has no ZooKeeper handle (" + e + ")";
    }
    long id = zk.getSessionId();
    if (id == 0) {
      return "skipped: client " + t.name() + " had no session (not connected)";
    }
    long start = System.nanoTime();
    try {
      ensemble.expireSession(id, zk.getSessionPasswd());
    } catch (IllegalStateException notJoined) {
      return "skipped: could not end the session of client " + t.name() + ": " + notJoined;
    }
    ended.add(new SoakContext.EndedSession(t.name(), id, start, System.nanoTime()));
    return "expired session 0x" + Long.toHexString(id) + " of client " + who;
  }

  private Target target(Fault fault) {
    if (targets.isEmpty()) {
      throw new IllegalStateException("a client fault was drawn but no workload made a client");
    }
    int n = targets.size();
    if (fault.target() >= n) {
      List<Target> busy = targets.stream().filter(t -> t.busy().get()).toList();
      if (!busy.isEmpty()) {
        return busy.get((fault.target() - n) % busy.size());
      }
    }
    return targets.get(fault.target() % n);
  }

  private static String label(Target t) {
    return t.name() + (t.busy().get() ? " (busy)" : "");
  }

  private int follower(int index) {
    int leader = ensemble.leader();
    List<Integer> followers =
        java.util.stream.IntStream.rangeClosed(1, ensemble.size())
            .filter(id -> id != leader)
            .boxed()
            .toList();
    return followers.get(index % followers.size());
  }
}
