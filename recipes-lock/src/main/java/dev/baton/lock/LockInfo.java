package dev.baton.lock;

import dev.baton.core.ZkPath;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the servers show of a lock at one moment, for operators: the holder and the waiters in the
 * order they will be granted.
 *
 * @param lock the lock's path
 * @param holder the lowest contender, which holds the lock (if its session is alive)
 * @param waiters the other contenders, in grant order
 */
public record LockInfo(ZkPath lock, Optional<Contender> holder, List<Contender> waiters) {

  public LockInfo {
    waiters = List.copyOf(waiters);
  }

  /**
   * One contender node.
   *
   * @param node the node
   * @param sessionId the session that owns it ({@code ephemeralOwner})
   * @param since when the node was created (server clock)
   * @param token the fencing token a grant on it carries (its czxid)
   */
  public record Contender(ZkPath node, long sessionId, Instant since, long token) {}
}
