package dev.baton.queue;

import java.util.Comparator;
import java.util.Optional;

/**
 * The name of an item node: {@code i-<rank>-<delayMillis>-<token>-<sequence>}. The rank is {@code 9
 * - priority}, so that a lower rank comes first; the delay is measured from the node's creation
 * time on the server; the token is the producer's unique id for this put, so that a put whose reply
 * was lost can be found again instead of being written twice; the sequence is ZooKeeper's.
 *
 * <p>Immutable.
 */
record ItemName(String name, int priority, long delayMillis, String token, long sequence) {

  /** Highest priority first, then by sequence (FIFO). */
  static final Comparator<ItemName> ORDER =
      Comparator.comparingInt((ItemName n) -> -n.priority()).thenComparingLong(ItemName::sequence);

  /** The prefix a producer creates with {@code PERSISTENT_SEQUENTIAL}. */
  static String prefix(int priority, long delayMillis, String token) {
    return "i-" + (9 - priority) + "-" + delayMillis + "-" + token + "-";
  }

  /** The parsed name, or empty for a node that is not an item (left alone). */
  static Optional<ItemName> parse(String name) {
    String[] parts = name.split("-", -1);
    if (parts.length != 5 || !parts[0].equals("i") || parts[1].length() != 1) {
      return Optional.empty();
    }
    try {
      int rank = Integer.parseInt(parts[1]);
      long delay = Long.parseLong(parts[2]);
      long seq = Long.parseLong(parts[4]);
      if (rank < 0 || rank > 9 || delay < 0 || parts[3].isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new ItemName(name, 9 - rank, delay, parts[3], seq));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  boolean delayed() {
    return delayMillis > 0;
  }
}
