package dev.baton.core;

import java.time.Duration;

/**
 * A wait with a deadline ran out. Whatever the wait had created was removed before this was thrown.
 */
public final class BatonTimeoutException extends BatonException {

  private final Duration timeout;

  /**
   * @param what what was awaited, naming the path (for example "acquire /locks/billing")
   * @param timeout the time allowed
   */
  public BatonTimeoutException(String what, Duration timeout) {
    super(what + " timed out after " + timeout.toMillis() + " ms", null);
    this.timeout = timeout;
  }

  /** The time that was allowed. */
  public Duration timeout() {
    return timeout;
  }
}
