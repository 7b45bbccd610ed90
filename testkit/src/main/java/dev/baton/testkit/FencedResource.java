package dev.baton.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A stand-in for a downstream system protected by fencing tokens: it accepts a write only if its
 * token is at least the highest token it has accepted so far. An equal token is accepted, because
 * the same lock holder may write several times. A rejected write is a <em>stale write</em>: it is
 * counted and kept in {@link #staleWriteHistory()} so a lock test can prove that a holder which
 * lost its lock (session expiry, pause) could not overwrite the work of its successor.
 *
 * <p>Thread-safe: every method holds one private monitor over in-memory state only, so the check
 * against the highest token and the apply of a write are one atomic step.
 */
public final class FencedResource {

  /** How many stale writes {@link #assertNoStaleWrites()} lists in its message. */
  private static final int MAX_LISTED = 5;

  private final String name;
  private final Object lock = new Object();
  private final List<Write> accepted = new ArrayList<>();
  private final List<StaleWrite> stale = new ArrayList<>();

  /**
   * A write the resource accepted.
   *
   * @param token the fencing token it carried
   * @param writer who wrote it (for reports)
   * @param value what was written
   */
  public record Write(long token, String writer, String value) {
    /** Rejects null writer or value. */
    public Write {
      Objects.requireNonNull(writer, "writer");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * A write the resource rejected because its token was below the highest accepted one.
   *
   * @param token the fencing token it carried
   * @param highestSeen the highest accepted token at the moment it was rejected
   * @param writer who tried to write (for reports)
   * @param value what it tried to write
   */
  public record StaleWrite(long token, long highestSeen, String writer, String value) {
    /** Rejects null writer or value, and a token that would not have been stale. */
    public StaleWrite {
      Objects.requireNonNull(writer, "writer");
      Objects.requireNonNull(value, "value");
      if (token >= highestSeen) {
        throw new IllegalArgumentException(
            String.format(
                "a stale write needs token < highestSeen, got %d >= %d", token, highestSeen));
      }
    }
  }

  /**
   * Creates an empty resource.
   *
   * @param name a label for messages, not blank
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public FencedResource(String name) {
    this.name = requireNotBlank(name, "name");
  }

  /** The label given at construction. */
  public String name() {
    return name;
  }

  /**
   * Offers a write. It is accepted, and becomes the {@link #currentValue()}, if no write was
   * accepted before or {@code token} is at least {@link #highestToken()}; otherwise it is recorded
   * as a stale write and the resource is unchanged.
   *
   * @param token the fencing token of the writer's lock
   * @param writer who writes, not blank
   * @param value what to write (may be empty)
   * @return whether the write was accepted
   * @throws IllegalArgumentException if {@code writer} is blank
   */
  public boolean write(long token, String writer, String value) {
    requireNotBlank(writer, "writer");
    Objects.requireNonNull(value, "value");
    synchronized (lock) {
      Optional<Write> last = lastAccepted();
      if (last.isPresent() && token < last.get().token()) {
        stale.add(new StaleWrite(token, last.get().token(), writer, value));
        return false;
      }
      accepted.add(new Write(token, writer, value));
      return true;
    }
  }

  /** The highest token accepted so far; empty before the first accepted write. */
  public OptionalLong highestToken() {
    synchronized (lock) {
      // Accepted tokens never decrease, so the last accepted write holds the highest.
      return lastAccepted().map(w -> OptionalLong.of(w.token())).orElse(OptionalLong.empty());
    }
  }

  /** The value of the last accepted write; empty before the first accepted write. */
  public Optional<String> currentValue() {
    synchronized (lock) {
      return lastAccepted().map(Write::value);
    }
  }

  /** How many writes were accepted. */
  public long acceptedWrites() {
    synchronized (lock) {
      return accepted.size();
    }
  }

  /** How many writes were rejected as stale. */
  public long staleWrites() {
    synchronized (lock) {
      return stale.size();
    }
  }

  /** The accepted writes in acceptance order; an immutable snapshot. */
  public List<Write> acceptedHistory() {
    synchronized (lock) {
      return List.copyOf(accepted);
    }
  }

  /** The rejected (stale) writes in the order they were rejected; an immutable snapshot. */
  public List<StaleWrite> staleWriteHistory() {
    synchronized (lock) {
      return List.copyOf(stale);
    }
  }

  /**
   * Fails if any write was rejected as stale.
   *
   * @throws AssertionError naming the resource, the counts and the first few stale writes
   */
  public void assertNoStaleWrites() {
    synchronized (lock) {
      if (stale.isEmpty()) {
        return;
      }
      List<StaleWrite> staleNow = stale.subList(0, Math.min(MAX_LISTED, stale.size()));
      StringBuilder message =
          new StringBuilder(
              String.format(
                  "FencedResource '%s' rejected %d stale write(s) (accepted %d); first %d:",
                  name, stale.size(), accepted.size(), staleNow.size()));
      for (StaleWrite s : staleNow) {
        message.append(
            String.format(
                "\n  token %d < highest %d from writer '%s' value '%s'",
                s.token(), s.highestSeen(), s.writer(), s.value()));
      }
      throw new AssertionError(message.toString());
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "FencedResource["
          + name
          + ", highest="
          + lastAccepted().map(w -> Long.toString(w.token())).orElse("none")
          + ", accepted="
          + accepted.size()
          + ", stale="
          + stale.size()
          + "]";
    }
  }

  /** The last accepted write; the caller holds {@code lock}. */
  private Optional<Write> lastAccepted() {
    return accepted.isEmpty() ? Optional.empty() : Optional.of(accepted.get(accepted.size() - 1));
  }

  private static String requireNotBlank(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank, got '" + value + "'");
    }
    return value;
  }
}
