package dev.baton.barrier;

import java.util.List;
import java.util.Optional;

/**
 * Names under a double barrier's path. Each round is a persistent node {@code round-<10 digits>}
 * whose data version says whether it is open (0: members may join) or closed (1 or more: N were
 * present at once, everyone in it may pass enter). Members are ephemeral nodes {@code m-<uuid>}
 * under their round; the uuid lets a member whose create reply was lost find its node again.
 *
 * <p>Stateless; pure functions, tested without a server.
 */
final class Rounds {

  static final String ROUND_PREFIX = "round-";
  static final String MEMBER_PREFIX = "m-";
  private static final int DIGITS = 10;

  private Rounds() {}

  /** The node name of round {@code g}. */
  static String roundName(long g) {
    if (g < 0) {
      throw new IllegalArgumentException("round must not be negative: " + g);
    }
    return ROUND_PREFIX + String.format("%0" + DIGITS + "d", g);
  }

  /** The round number of a child name, or empty if it is not a round node. */
  static Optional<Long> round(String name) {
    if (!name.startsWith(ROUND_PREFIX) || name.length() != ROUND_PREFIX.length() + DIGITS) {
      return Optional.empty();
    }
    String digits = name.substring(ROUND_PREFIX.length());
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(Long.parseLong(digits));
  }

  /** The highest round among the children, or empty if there is none. */
  static Optional<Long> highest(List<String> children) {
    return children.stream().map(Rounds::round).flatMap(Optional::stream).max(Long::compare);
  }

  /** The member node name of the participant attempt {@code id}. */
  static String memberName(String id) {
    return MEMBER_PREFIX + id;
  }

  /** How many of a round's children are members. */
  static int members(List<String> children) {
    return (int) children.stream().filter(c -> c.startsWith(MEMBER_PREFIX)).count();
  }

  /** Whether a round node with this data version is closed (N were present). */
  static boolean closed(int dataVersion) {
    return dataVersion >= 1;
  }
}
