package dev.baton.samples;

import dev.baton.core.Baton;
import dev.baton.testkit.Backend;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * What every sample shares: where the ensemble is ({@code --connect host:port,...}, else an
 * embedded 3-server ensemble started here), clients, narration, checks and the final summary.
 *
 * <p>Options: {@code --connect <connect string>} to use an existing ensemble, {@code --quick} for a
 * short run (what CI runs).
 *
 * <p>Thread-safe for narration and counters (synchronized printing; the samples never block inside
 * it).
 */
final class SampleRun implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(30);

  private final PrintStream out;
  private final Optional<ZooKeeperEnsemble> embedded;
  private final String connectString;
  private final boolean quick;
  private final List<Baton> clients = new ArrayList<>();
  private final Map<String, Long> counters = new LinkedHashMap<>();
  private int checks;
  private int failures;

  private SampleRun(
      PrintStream out, Optional<ZooKeeperEnsemble> embedded, String connectString, boolean quick) {
    this.out = out;
    this.embedded = embedded;
    this.connectString = connectString;
    this.quick = quick;
  }

  /** Parses the options and connects or starts the ensemble. */
  static SampleRun open(String title, String[] args, PrintStream out) {
    Optional<String> connect = Optional.empty();
    boolean quick = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--connect" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--connect needs a connect string (host:port,...)");
          }
          connect = Optional.of(args[++i]);
        }
        case "--quick" -> quick = true;
        default ->
            throw new IllegalArgumentException(
                "unknown option " + args[i] + " (known: --connect <host:port,...>, --quick)");
      }
    }
    out.println("== " + title);
    if (connect.isPresent()) {
      out.println("Using the ensemble at " + connect.get());
      return new SampleRun(out, Optional.empty(), connect.get(), quick);
    }
    out.println(
        "Starting an embedded ZooKeeper ensemble of 3 servers (in-process quorum peers) ...");
    ZooKeeperEnsemble zk = ZooKeeperEnsemble.builder().size(3).backend(Backend.IN_PROCESS).start();
    out.printf(
        "  serving at %s after %d ms, leader is server %d%n",
        zk.connectString(), zk.startTime().toMillis(), zk.leader());
    return new SampleRun(out, Optional.of(zk), zk.connectString(), quick);
  }

  boolean quick() {
    return quick;
  }

  String connectString() {
    return connectString;
  }

  Optional<ZooKeeperEnsemble> embedded() {
    return embedded;
  }

  /** A client with a 4 s session timeout, in the samples' namespace; closed with the run. */
  Baton client() {
    return client(connectString);
  }

  /** {@link #client()} through another connect string (a proxy in front of the ensemble). */
  Baton client(String through) {
    return add(builder(through).build());
  }

  /** {@link #client()} reporting to a Micrometer registry. */
  Baton clientWithMetrics(Object meterRegistry) {
    return add(builder(connectString).meterRegistry(meterRegistry).build());
  }

  private Baton.Builder builder(String connect) {
    return Baton.builder(connect)
        .namespace("/baton-samples")
        .sessionTimeout(Duration.ofSeconds(4))
        .connectionTimeout(Duration.ofSeconds(3))
        // Background failures (a rejected config push, a refused ack) as one narrated line each,
        // instead of the default handler's logged stack trace.
        .errorHandler((what, error) -> say("    [reported] %s: %s", what, error.getMessage()));
  }

  private synchronized Baton add(Baton b) {
    clients.add(b);
    return b;
  }

  /**
   * Ends a client's session on the servers, as a process pause or partition longer than the session
   * timeout does: a second connection joins the session and closes it. Works against any ensemble.
   */
  void expire(Baton client) {
    try {
      ZooKeeper handle = client.curator().getZookeeperClient().getZooKeeper();
      CountDownLatch joined = new CountDownLatch(1);
      Watcher w =
          e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected
                || e.getState() == Watcher.Event.KeeperState.Expired) {
              joined.countDown();
            }
          };
      ZooKeeper twin =
          new ZooKeeper(connectString, 10_000, w, handle.getSessionId(), handle.getSessionPasswd());
      try {
        if (!joined.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("could not reach the ensemble to end a session");
        }
      } finally {
        twin.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException("ending a session: " + e.getMessage(), e);
    }
  }

  synchronized void say(String format, Object... args) {
    out.println(args.length == 0 ? format : String.format(format, args));
  }

  synchronized void check(String what, boolean ok) {
    checks++;
    if (!ok) {
      failures++;
    }
    out.printf("  %s %s%n", ok ? "ok  " : "FAIL", what);
  }

  /** A figure for the summary (for example "items lost"). */
  synchronized void count(String what, long value) {
    counters.merge(what, value, Long::sum);
  }

  synchronized long counter(String what) {
    return counters.getOrDefault(what, 0L);
  }

  int failures() {
    return failures;
  }

  boolean waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** Prints the summary; returns the number of failed checks. */
  synchronized int report() {
    out.println();
    out.println("Summary");
    counters.forEach((k, v) -> out.printf("  %-36s %d%n", k, v));
    out.printf("  %-36s %d of %d%n", "checks failed", failures, checks);
    return failures;
  }

  @Override
  public void close() {
    List<Baton> all;
    synchronized (this) {
      all = List.copyOf(clients);
    }
    all.forEach(Baton::close);
    embedded.ifPresent(ZooKeeperEnsemble::close);
  }
}
