package dev.baton.testkit;

import java.nio.file.Path;

/**
 * Runs the servers of one ensemble somewhere (this JVM, child processes, containers). The ensemble
 * decides the configuration; a backend only starts, stops and signals servers. Server ids are
 * 1-based.
 *
 * <p>Implementations are confined to the {@link ZooKeeperEnsemble} that owns them (it serialises
 * calls).
 */
interface ServerBackend extends AutoCloseable {

  /**
   * Starts server {@code spec.id()} with the given zoo.cfg text. {@code dataDir} is a host folder
   * owned by the ensemble (already holding {@code myid}); backends that run elsewhere may keep data
   * in their own place instead, but must keep it across {@link #stop}/{@link #kill} and {@link
   * #start} of the same server. Returns when the server was launched, not when it serves.
   *
   * @param config zoo.cfg text, with {@code dataDir=} set for a host-local server; containers
   *     rewrite it
   */
  void start(ServerSpec spec, String config, Path dataDir);

  /** Stops a running server gracefully (SIGTERM or shutdown). No-op if it is not running. */
  void stop(int id);

  /**
   * Ends a running server abruptly (SIGKILL where the backend has processes). No-op if it is not
   * running.
   */
  void kill(int id);

  /** Freezes a running server (it keeps its sockets but answers nothing). */
  void pause(int id);

  /** Resumes a paused server. */
  void resume(int id);

  /**
   * Whether the server was started and not stopped or killed since (a paused server is running).
   */
  boolean isRunning(int id);

  /** Where to look when a server misbehaves (log file, container id); for error messages. */
  String describe(int id);

  /**
   * Stops every server and releases everything the backend created (processes, containers,
   * threads).
   */
  @Override
  void close();
}
