package dev.baton.lock;

import dev.baton.core.ZkPath;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the servers show of a lock at one moment, for operators: who holds it and who waits, in the
 * order they will be granted.
 *
 * @param lock the lock's path
 * @param holders the contenders with no conflicting contender before them: one for a mutex or a
 *     writer, any number of readers for a read lock
 * @param waiters the other contenders, in grant order
 */
public record LockInfo(ZkPath lock, List<Contender> holders, List<Contender> waiters) {

  public LockInfo {
    holders = List.copyOf(holders);
    waiters = List.copyOf(waiters);
  }

  /** The first holder (the only one, for a mutex). */
  public Optional<Contender> holder() {
    return holders.stream().findFirst();
  }

  /**
   * One contender node.
   *
   * @param node the node
   * @param kind {@code lock} (mutex), {@code read} or {@code write}
   * @param sessionId the session that owns it ({@code ephemeralOwner})
   * @param since when the node was created (server clock)
   * @param token the fencing token a grant on it carries (its czxid)
   */
  public record Contender(ZkPath node, String kind, long sessionId, Instant since, long token) {}
}
