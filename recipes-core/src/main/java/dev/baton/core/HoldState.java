package dev.baton.core;

/**
 * The state of a {@link Hold}.
 *
 * <pre>
 *   HELD -- connection suspended --> UNCERTAIN -- same session back, node still ours --> HELD
 *   HELD | UNCERTAIN -- session expired / replaced, node gone, client closed --> LOST (terminal)
 *   HELD | UNCERTAIN -- released by its owner --> RELEASED (terminal)
 * </pre>
 */
public enum HoldState {
  /** The server holds our node in our live, connected session. */
  HELD,
  /**
   * The connection is suspended: the server may still hold it, or the session may be expiring. Act
   * as if it may be gone (stop writing through it) until it is HELD again.
   */
  UNCERTAIN,
  /** Gone for good: another client may hold it now. Terminal. */
  LOST,
  /** Given up by its owner. Terminal; not a loss. */
  RELEASED;

  /** Whether no further transition can happen. */
  public boolean isTerminal() {
    return this == LOST || this == RELEASED;
  }
}
