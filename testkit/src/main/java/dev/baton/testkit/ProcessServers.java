package dev.baton.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child JVM per server running {@code QuorumPeerMain} with the ZooKeeper jars of the test's
 * class path. Kill is SIGKILL, stop is SIGTERM (then SIGKILL after 10 s), pause is SIGSTOP and
 * resume SIGCONT: the faults a real server process suffers. Each server's output goes to {@code
 * server.log} in its data folder.
 *
 * <p>Confined to the owning ensemble, which serialises calls.
 */
final class ProcessServers implements ServerBackend {

  private static final Logger log = LoggerFactory.getLogger(ProcessServers.class);

  private final List<String> jvmOptions;
  private final Map<Integer, Process> processes = new HashMap<>();
  private final Map<Integer, Path> logs = new HashMap<>();

  ProcessServers(List<String> jvmOptions) {
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  @Override
  public void start(ServerSpec spec, String config, Path dataDir) {
    Process existing = processes.get(spec.id());
    if (existing != null && existing.isAlive()) {
      return;
    }
    try {
      Path cfg = dataDir.resolve("zoo.cfg");
      Files.writeString(cfg, config);
      Path logFile = dataDir.resolve("server.log");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvmOptions);
      cmd.add("-Dzookeeper.jmx.log4j.disable=true");
      cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
      cmd.add("-cp");
      cmd.add(ServerClasspath.asArgument());
      cmd.add("org.apache.zookeeper.server.quorum.QuorumPeerMain");
      cmd.add(cfg.toString());
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      processes.put(spec.id(), p);
      logs.put(spec.id(), logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("starting server " + spec.id() + " as a child JVM", e);
    }
  }

  @Override
  public void stop(int id) {
    Process p = processes.remove(id);
    if (p == null || !p.isAlive()) {
      return;
    }
    signal(p, "CONT"); // a paused process cannot act on SIGTERM
    p.destroy();
    awaitExit(id, p, 10);
  }

  @Override
  public void kill(int id) {
    Process p = processes.remove(id);
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroyForcibly();
    awaitExit(id, p, 10);
  }

  @Override
  public void pause(int id) {
    signal(runningProcess(id), "STOP");
  }

  @Override
  public void resume(int id) {
    signal(runningProcess(id), "CONT");
  }

  @Override
  public boolean isRunning(int id) {
    Process p = processes.get(id);
    return p != null && p.isAlive();
  }

  @Override
  public String describe(int id) {
    Process p = processes.get(id);
    return "server process "
        + (p == null ? "(not running)" : "pid " + p.pid())
        + ", log "
        + logs.getOrDefault(id, Path.of("(none)"));
  }

  @Override
  public void close() {
    for (Integer id : Map.copyOf(processes).keySet()) {
      kill(id);
    }
  }

  private Process runningProcess(int id) {
    Process p = processes.get(id);
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("server " + id + " is not running");
    }
    return p;
  }

  private void awaitExit(int id, Process p, int seconds) {
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
          throw new IllegalStateException("server " + id + " (pid " + p.pid() + ") did not exit");
        }
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void signal(Process p, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        log.warn("kill -{} {} did not succeed", signal, p.pid());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("sending SIG" + signal + " to pid " + p.pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
