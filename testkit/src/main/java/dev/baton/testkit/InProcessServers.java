package dev.baton.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.zookeeper.server.quorum.QuorumPeer;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quorum peers in this JVM: the real {@code QuorumPeer} code, each on its own thread, parsed from
 * the same zoo.cfg the other backends use. Fast to start; cannot be paused, and "kill" can only be
 * a shutdown (there is no process to SIGKILL).
 *
 * <p>Confined to the owning ensemble, which serialises calls.
 */
final class InProcessServers implements ServerBackend {

  private static final Logger log = LoggerFactory.getLogger(InProcessServers.class);

  /** QuorumPeerMain with a handle on its peer, so that it can be shut down from outside. */
  private static final class Peer extends QuorumPeerMain {
    volatile Throwable failure;

    QuorumPeer peer() {
      return quorumPeer;
    }
  }

  private record Running(Peer main, Thread thread) {}

  private final Map<Integer, Running> running = new HashMap<>();

  @Override
  public void start(ServerSpec spec, String config, Path dataDir) {
    if (running.containsKey(spec.id())) {
      return;
    }
    QuorumPeerConfig parsed = new QuorumPeerConfig();
    try {
      Path cfg = dataDir.resolveSibling("zoo-" + spec.id() + ".cfg");
      Files.writeString(cfg, config);
      parsed.parse(cfg.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (QuorumPeerConfig.ConfigException e) {
      throw new IllegalStateException(
          "bad zoo.cfg for server " + spec.id() + ": " + e.getMessage(), e);
    }
    Peer main = new Peer();
    Thread t =
        new Thread(
            () -> {
              try {
                main.runFromConfig(parsed);
              } catch (Throwable e) {
                main.failure = e;
                log.warn("in-process server {} ended with an error", spec.id(), e);
              }
            },
            "baton-zk-inprocess-" + spec.id() + "-" + spec.clientPort());
    t.setDaemon(true);
    t.start();
    running.put(spec.id(), new Running(main, t));
  }

  @Override
  public void stop(int id) {
    Running r = running.remove(id);
    if (r == null) {
      return;
    }
    // runFromConfig sets the peer early; wait for it so that a stop right after start is not lost.
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (r.main().peer() == null && r.thread().isAlive() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      sleepQuietly(5);
    }
    QuorumPeer peer = r.main().peer();
    if (peer != null) {
      peer.shutdown();
    }
    try {
      r.thread().join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (r.thread().isAlive()) {
      throw new IllegalStateException("in-process server " + id + " did not stop within 15 s");
    }
  }

  @Override
  public void kill(int id) {
    stop(id);
  }

  @Override
  public void pause(int id) {
    throw new UnsupportedOperationException(
        "the in-process backend cannot pause server "
            + id
            + ": use Backend.PROCESS or Backend.CONTAINERS");
  }

  @Override
  public void resume(int id) {
    throw new UnsupportedOperationException(
        "the in-process backend cannot resume server "
            + id
            + ": use Backend.PROCESS or Backend.CONTAINERS");
  }

  @Override
  public boolean isRunning(int id) {
    Running r = running.get(id);
    return r != null && r.thread().isAlive();
  }

  @Override
  public String describe(int id) {
    Running r = running.get(id);
    if (r == null) {
      return "in-process server " + id + " (not running)";
    }
    Throwable f = r.main().failure;
    return "in-process server "
        + id
        + " on thread "
        + r.thread().getName()
        + (f == null ? "" : ", failed: " + f);
  }

  @Override
  public void close() {
    for (Integer id : Map.copyOf(running).keySet()) {
      try {
        stop(id);
      } catch (RuntimeException e) {
        log.warn("stopping in-process server {} failed", id, e);
      }
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
