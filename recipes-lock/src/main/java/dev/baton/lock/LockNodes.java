package dev.baton.lock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Names of contender nodes and the order among them. A contender's node is {@code
 * <kind>-<attempt-id>-<sequence>}: the kind says what it conflicts with, the attempt id (a UUID per
 * attempt) lets an attempt whose create reply was lost find its node again instead of leaving an
 * orphan that blocks everyone after it, and the 10-digit sequence ZooKeeper appends orders the
 * contenders (FIFO).
 *
 * <p>Stateless; pure functions, tested without a server.
 */
final class LockNodes {

  private static final int SEQUENCE_DIGITS = 10;

  /** What a contender wants; decides which lower contenders it must wait for. */
  enum Kind {
    /** A mutex contender: conflicts with every other contender. */
    EXCLUSIVE("lock-"),
    /** A writer of a read-write lock: conflicts with every other contender. */
    WRITE("write-"),
    /** A reader: conflicts only with exclusive contenders and writers, so readers share. */
    READ("read-");

    final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    boolean conflictsWith(Kind other) {
      return this != READ || other != READ;
    }

    static Optional<Kind> of(String name) {
      for (Kind k : values()) {
        if (name.startsWith(k.prefix)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  private LockNodes() {}

  /** The name to create (ZooKeeper appends the sequence). */
  static String namePrefix(Kind kind, String attemptId) {
    return kind.prefix + attemptId + "-";
  }

  /** The sequence of a contender node, or empty for a node that is not a contender. */
  static Optional<Long> sequence(String name) {
    Optional<Kind> kind = Kind.of(name);
    if (kind.isEmpty() || name.length() < kind.get().prefix.length() + SEQUENCE_DIGITS + 1) {
      return Optional.empty();
    }
    if (name.charAt(name.length() - SEQUENCE_DIGITS - 1) != '-') {
      return Optional.empty();
    }
    String digits = name.substring(name.length() - SEQUENCE_DIGITS);
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(Long.parseLong(digits));
  }

  /** Contender nodes in grant order (lowest sequence first); other children are ignored. */
  static List<String> ordered(List<String> children) {
    // Each name is parsed once: with a thousand waiters each re-reading the children, parsing
    // inside the comparator cost ~20 parses per name per sort (measured by the benchmarks).
    long[] keys = new long[children.size()];
    String[] names = new String[children.size()];
    int n = 0;
    for (String c : children) {
      Optional<Long> seq = sequence(c);
      if (seq.isPresent()) {
        keys[n] = seq.get();
        names[n] = c;
        n++;
      }
    }
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, Comparator.comparingLong(i -> keys[i]));
    List<String> out = new ArrayList<>(n);
    for (Integer i : idx) {
      out.add(names[i]);
    }
    return out;
  }

  /** The node of attempt {@code attemptId} among the children, if its create went through. */
  static Optional<String> findAttempt(List<String> children, Kind kind, String attemptId) {
    String prefix = namePrefix(kind, attemptId);
    return children.stream()
        .filter(c -> c.startsWith(prefix) && sequence(c).isPresent())
        .findFirst();
  }

  /**
   * Where {@code own} stands among the ordered contenders: how many lower contenders conflict with
   * it, and the nearest of them, which it watches. Empty when its node is not among them.
   */
  static Optional<Position> position(List<String> ordered, String own) {
    int i = ordered.indexOf(own);
    if (i < 0) {
      return Optional.empty();
    }
    Kind mine = Kind.of(own).orElseThrow();
    int conflicting = 0;
    String nearest = null;
    for (int j = 0; j < i; j++) {
      String other = ordered.get(j);
      if (mine.conflictsWith(Kind.of(other).orElseThrow())) {
        conflicting++;
        nearest = other;
      }
    }
    return Optional.of(new Position(conflicting, Optional.ofNullable(nearest)));
  }

  /**
   * Where a contender stands.
   *
   * @param conflictsBefore how many lower contenders conflict with it
   * @param watch the nearest of them, if any
   */
  record Position(int conflictsBefore, Optional<String> watch) {
    /** Whether nothing before it conflicts: it holds the lock. */
    boolean granted() {
      return conflictsBefore == 0;
    }

    /**
     * Whether the watched node is the only conflicting one before us: sequence numbers only grow,
     * so no lower node can appear later, and its deletion alone proves we may go.
     */
    boolean watchIsTheOnlyConflict() {
      return conflictsBefore == 1;
    }
  }
}
