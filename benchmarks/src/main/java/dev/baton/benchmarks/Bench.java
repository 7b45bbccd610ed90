package dev.baton.benchmarks;

import dev.baton.testkit.Backend;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Baton against Curator's recipes, side by side on one ensemble (issue 6). Starts a 3-server
 * ensemble of child processes (so the servers do not share this JVM) unless {@code --connect} names
 * one, runs every scenario with warm-up and alternating systems, prints one line per metric and
 * system, then the Baton/Curator ratio table. Exits with status 1 if a correctness counter is not
 * zero.
 *
 * <p>Usage: {@code Bench [--quick] [--connect host:port,...] [--only N]}; see README.md,
 * "Benchmarks".
 */
public final class Bench {

  private Bench() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    Config config = Config.parse(String.join(" ", args).trim().split("\\s+"));
    Results results;
    if (config.connect().isPresent()) {
      results = run(config, System.out);
    } else {
      try (ZooKeeperEnsemble zk =
          ZooKeeperEnsemble.builder().size(3).backend(Backend.PROCESS).start()) {
        System.out.printf(
            "ensemble: 3 ZooKeeper servers in child processes (%s), started in %d ms%n",
            zk.connectString(), zk.startTime().toMillis());
        results = run(config.withConnect(zk.connectString()), System.out);
      }
    }
    if (!results.correctnessFailures().isEmpty()) {
      System.out.println("CORRECTNESS FAILURES: " + results.correctnessFailures());
      System.exit(1);
    }
    System.exit(0);
  }

  /** The scenarios, in the order they run (issue 6, items 1-9). */
  static List<Scenario> scenarios(Config c) {
    List<Scenario> s = new ArrayList<>();
    s.add(new RawFloor());
    s.add(new Uncontended());
    s.add(new Contended(8));
    s.add(new Handoff());
    for (int waiters : c.herdWaiters()) {
      s.add(new Drain(Drain.Kind.HERD, waiters));
    }
    // Curator's threads sharing one InterProcessMutex all wake on every release; measured at the
    // smallest herd size only (its cost grows with the square of the waiters).
    s.add(new Drain(Drain.Kind.HERD_SHARED, c.herdWaiters()[0]));
    s.add(new Drain(Drain.Kind.SCALE, c.scaleWaiters()));
    s.add(new QueueBench(1, 1));
    s.add(new QueueBench(4, 4));
    s.add(new CacheBench());
    s.add(new BarrierBench());
    return s.stream().filter(x -> x.name().startsWith(c.only())).toList();
  }

  /**
   * Runs every scenario against {@code config.connect()} and prints the table.
   *
   * @throws IllegalArgumentException if no connect string is set
   */
  static Results run(Config config, PrintStream out) throws Exception {
    String cs =
        config
            .connect()
            .orElseThrow(() -> new IllegalArgumentException("no ensemble to connect to"));
    Results results = new Results(out);
    out.printf(
        "run: %s, %d cores, JVM %s, %s%n",
        config.quick() ? "--quick" : "default",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        ManagementFactory.getRuntimeMXBean().getInputArguments());
    long t0 = System.nanoTime();
    try (Env env = new Env(cs, config)) {
      Runner runner = new Runner(env, results);
      for (Scenario s : scenarios(config)) {
        runner.run(s);
      }
    }
    results.printTable();
    out.printf("total run time %.0f s%n", (System.nanoTime() - t0) / 1e9);
    return results;
  }
}
