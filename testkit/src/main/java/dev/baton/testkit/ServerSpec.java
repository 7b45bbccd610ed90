package dev.baton.testkit;

/**
 * One server of an ensemble: its id (ZooKeeper's {@code myid}, 1-based) and its three 127.0.0.1
 * ports.
 *
 * <p>Immutable.
 */
record ServerSpec(int id, int clientPort, int quorumPort, int electionPort) {

  /** The {@code server.N=} line of zoo.cfg. */
  String serverLine() {
    return "server." + id + "=127.0.0.1:" + quorumPort + ":" + electionPort;
  }

  String clientAddress() {
    return "127.0.0.1:" + clientPort;
  }
}
