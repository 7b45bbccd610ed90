package dev.baton.testkit;

import dev.baton.core.Baton;
import dev.baton.testkit.FaultSchedule.Fault;
import dev.baton.testkit.SoakContext.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.data.Stat;

/**
 * A fault soak: runs {@link SoakWorkload}s against an ensemble while it injects a {@link
 * FaultSchedule} drawn from a seed, then a quiet period, then stops the workloads, closes their
 * clients and collects every check into a {@link SoakReport}.
 *
 * <pre>{@code
 * try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.start(3)) {
 *   SoakReport report = Soak.builder(zk).seed(42).faultPeriod(Duration.ofMinutes(1))
 *       .workload(new MyRecipeWorkload()).build().run();
 *   report.assertOk();  // prints seed, schedule and counters either way
 * }
 * }</pre>
 *
 * <p>Besides the workloads' own checks the soak checks one thing itself: once every workload client
 * is closed, no ephemeral node remains in the soak's namespace ({@code ephemeralNodesLeft=0}).
 *
 * <p>Pause faults need the process or containers backend; on the in-process backend they are left
 * out of the schedule and the output says so. Confined: {@link #run()} once, on one thread.
 */
public final class Soak {

  private final Builder b;

  private Soak(Builder b) {
    this.b = b;
  }

  /** A soak over {@code ensemble} with a random seed, 1 minute of faults and 5 s of quiet. */
  public static Builder builder(ZooKeeperEnsemble ensemble) {
    return new Builder(ensemble);
  }

  /** A fresh random seed, for runs that should differ (print it: it replays the run). */
  public static long randomSeed() {
    return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  }

  /**
   * Runs the soak and prints the report to the builder's log.
   *
   * @throws InterruptedException if interrupted; workloads are stopped and clients closed first
   */
  public SoakReport run() throws InterruptedException {
    long started = System.nanoTime();
    List<Target> targets = SoakContext.newTargetList();
    List<SoakContext.EndedSession> ended = SoakContext.newEndedSessionList();
    List<SoakResult> results = new ArrayList<>();
    FaultSchedule schedule = new FaultSchedule(b.seed, List.of());
    FaultInjector injector = new FaultInjector(b.ensemble, targets, ended, b.log, started);
    try (Baton admin = admin()) {
      admin.awaitSession(Duration.ofSeconds(30));
      List<SoakWorkload> running = new ArrayList<>();
      try {
        for (int i = 0; i < b.workloads.size(); i++) {
          SoakWorkload w = b.workloads.get(i);
          w.start(context(admin, targets, i, started, ended));
          running.add(w);
        }
        schedule = draw(targets.size());
        b.log.accept("soak seed=" + b.seed + " schedule:\n" + schedule.describe());
        List<Fault> faults = schedule.faults();
        for (int i = 0; i < faults.size(); i++) {
          Thread.sleep(faults.get(i).gapBefore().toMillis()); // the schedule's gap
          injector.inject(i + 1, faults.get(i));
        }
        b.log.accept("soak: faults done, quiet for " + b.quietPeriod.toSeconds() + " s");
        Thread.sleep(b.quietPeriod.toMillis());
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        results.add(failure("soak", "aborted: " + e));
      } finally {
        results.addAll(stopAll(running));
        closeClients(targets);
      }
      results.add(ownChecks(admin, injector, targets.size()));
    }
    SoakReport report =
        new SoakReport(
            b.seed,
            b.ensemble.backend(),
            schedule,
            results,
            Duration.ofNanos(System.nanoTime() - started));
    b.log.accept(report.toString());
    return report;
  }

  private FaultSchedule draw(int clients) {
    boolean pause = b.ensemble.backend() != Backend.IN_PROCESS;
    if (!pause) {
      b.log.accept("soak: backend inprocess cannot pause servers; pause faults left out");
    }
    return FaultSchedule.draw(b.seed, b.faultPeriod, b.ensemble.size(), clients, pause);
  }

  private SoakContext context(
      Baton admin,
      List<Target> targets,
      int index,
      long started,
      List<SoakContext.EndedSession> ended) {
    Random random = new Random(b.seed * 31 + index);
    return new SoakContext(
        b.ensemble, admin, b.namespace, b.sessionTimeout, random, targets, started, ended);
  }

  private Baton admin() {
    return Baton.builder(b.ensemble.connectString())
        .namespace(b.namespace)
        .sessionTimeout(Duration.ofSeconds(30))
        .connectionTimeout(Duration.ofSeconds(30))
        .build();
  }

  private List<SoakResult> stopAll(List<SoakWorkload> workloads) {
    List<SoakResult> out = new ArrayList<>();
    for (SoakWorkload w : workloads) {
      try {
        w.stop();
        out.add(w.result());
      } catch (Exception e) {
        SoakResult r = w.result();
        List<String> f = new ArrayList<>(r.failures());
        f.add("stop failed: " + e);
        out.add(new SoakResult(r.name(), r.counters(), f));
      }
    }
    return out;
  }

  private static void closeClients(List<Target> targets) {
    for (Target t : targets) {
      t.client().close();
      t.proxy().close();
    }
  }

  private SoakResult ownChecks(Baton admin, FaultInjector injector, int clients) {
    Map<String, Long> counters = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    counters.put("clients", (long) clients);
    counters.put("faultsApplied", injector.applied());
    counters.put("faultsSkipped", injector.skipped());
    try {
      List<String> left = ephemerals(admin.curator(), "/");
      counters.put("ephemeralNodesLeft", (long) left.size());
      if (!left.isEmpty()) {
        failures.add("ephemeralNodesLeft=" + left.size() + ", expected 0: " + left);
      }
    } catch (Exception e) {
      failures.add("could not list the namespace: " + e);
    }
    return new SoakResult("soak", counters, failures);
  }

  private static List<String> ephemerals(CuratorFramework c, String path) throws Exception {
    List<String> found = new ArrayList<>();
    Stat stat = c.checkExists().forPath(path);
    if (stat == null) {
      return found;
    }
    if (stat.getEphemeralOwner() != 0) {
      found.add(path + " (session 0x" + Long.toHexString(stat.getEphemeralOwner()) + ")");
    }
    for (String child : c.getChildren().forPath(path)) {
      found.addAll(ephemerals(c, (path.equals("/") ? "" : path) + "/" + child));
    }
    return found;
  }

  private static SoakResult failure(String name, String failure) {
    return new SoakResult(name, Map.of(), List.of(failure));
  }

  /** Options of a {@link Soak}; {@link #build()} validates nothing further. */
  public static final class Builder {
    private final ZooKeeperEnsemble ensemble;
    private final List<SoakWorkload> workloads = new ArrayList<>();
    private long seed = randomSeed();
    private Duration faultPeriod = Duration.ofMinutes(1);
    private Duration quietPeriod = Duration.ofSeconds(5);
    private Duration sessionTimeout = Duration.ofSeconds(4);
    private String namespace = "/soak";
    private Consumer<String> log = System.out::println;

    private Builder(ZooKeeperEnsemble ensemble) {
      this.ensemble = Objects.requireNonNull(ensemble, "ensemble");
    }

    /** The seed the schedule and the workloads' generators are drawn from. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** About how long faults are injected (the schedule's gaps and faults add up to this). */
    public Builder faultPeriod(Duration period) {
      this.faultPeriod = positive("fault period", period);
      return this;
    }

    /** How long the workloads run undisturbed after the last fault. */
    public Builder quietPeriod(Duration period) {
      if (period.isNegative()) {
        throw new IllegalArgumentException("quiet period must not be negative: " + period);
      }
      this.quietPeriod = period;
      return this;
    }

    /** The session timeout of workload clients (default 4 s: cut-offs of 1-10 s straddle it). */
    public Builder sessionTimeout(Duration timeout) {
      this.sessionTimeout = positive("session timeout", timeout);
      return this;
    }

    /** The chroot of every client, {@code /soak} by default. */
    public Builder namespace(String namespace) {
      if (namespace.isBlank() || namespace.equals("/")) {
        throw new IllegalArgumentException(
            "namespace must name a node below /: '" + namespace + "'");
      }
      this.namespace = namespace;
      return this;
    }

    /** Where the seed, the schedule, each fault and the report are printed (stdout by default). */
    public Builder log(Consumer<String> log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /** Adds a workload; they start in the order added. */
    public Builder workload(SoakWorkload workload) {
      workloads.add(Objects.requireNonNull(workload, "workload"));
      return this;
    }

    /** The soak. */
    public Soak build() {
      return new Soak(this);
    }

    private static Duration positive(String what, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}
