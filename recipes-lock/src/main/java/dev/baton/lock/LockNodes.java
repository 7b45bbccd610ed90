package dev.baton.lock;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Names of contender nodes and the order among them. A contender's node is {@code
 * lock-<attempt-id>-<sequence>}: the attempt id (a UUID per attempt) lets an attempt whose create
 * reply was lost find its node again instead of leaving an orphan that blocks everyone after it;
 * the 10-digit sequence ZooKeeper appends orders the contenders (FIFO).
 *
 * <p>Stateless; pure functions, tested without a server.
 */
final class LockNodes {

  static final String PREFIX = "lock-";
  private static final int SEQUENCE_DIGITS = 10;

  private LockNodes() {}

  /** The name to create (ZooKeeper appends the sequence). */
  static String namePrefix(String attemptId) {
    return PREFIX + attemptId + "-";
  }

  /** The sequence of a contender node, or empty for a node that is not one of ours. */
  static Optional<Long> sequence(String name) {
    if (!name.startsWith(PREFIX) || name.length() < PREFIX.length() + SEQUENCE_DIGITS + 1) {
      return Optional.empty();
    }
    String digits = name.substring(name.length() - SEQUENCE_DIGITS);
    if (name.charAt(name.length() - SEQUENCE_DIGITS - 1) != '-') {
      return Optional.empty();
    }
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(Long.parseLong(digits));
  }

  /** Contender nodes in grant order (lowest sequence first); other children are ignored. */
  static List<String> ordered(List<String> children) {
    List<String> out = new ArrayList<>();
    for (String c : children) {
      if (sequence(c).isPresent()) {
        out.add(c);
      }
    }
    out.sort(Comparator.comparing(c -> sequence(c).orElseThrow()));
    return out;
  }

  /** The node of attempt {@code attemptId} among the children, if its create went through. */
  static Optional<String> findAttempt(List<String> children, String attemptId) {
    String prefix = namePrefix(attemptId);
    return children.stream()
        .filter(c -> c.startsWith(prefix) && sequence(c).isPresent())
        .findFirst();
  }

  /**
   * What a contender does next: {@link Position#first()} when it holds the lock, otherwise the node
   * just before it, which it watches; empty when its own node is not among the children.
   */
  static Optional<Position> position(List<String> ordered, String own) {
    int i = ordered.indexOf(own);
    if (i < 0) {
      return Optional.empty();
    }
    return Optional.of(
        new Position(i, i == 0 ? Optional.empty() : Optional.of(ordered.get(i - 1))));
  }

  /**
   * Where a contender stands.
   *
   * @param index how many contenders are before it
   * @param predecessor the one just before it, if any
   */
  record Position(int index, Optional<String> predecessor) {
    boolean first() {
      return index == 0;
    }

    /**
     * Whether the predecessor is the only node before us: sequence numbers only grow, so no lower
     * node can appear later, and its deletion alone proves we are first.
     */
    boolean predecessorIsTheOnlyOneBefore() {
      return index == 1;
    }
  }
}
