package dev.baton.core;

/**
 * The ZooKeeper session an operation was bound to is over (expired on the server, replaced by a new
 * session, or the client closed). The operation was not attempted in any newer session: a retry
 * never crosses a session boundary on behalf of a hold. Callers that want to continue must start
 * again in the current session (for a lock: acquire again).
 */
public final class SessionLostException extends BatonException {

  private final long sessionId;

  /**
   * @param sessionId the session the operation was bound to
   * @param detail what was attempted and what was found (for example "create /locks/a: session
   *     expired")
   */
  public SessionLostException(long sessionId, String detail) {
    this(sessionId, detail, null);
  }

  public SessionLostException(long sessionId, String detail, Throwable cause) {
    super("session 0x" + Long.toHexString(sessionId) + " is over: " + detail, cause);
    this.sessionId = sessionId;
  }

  /** The session id the failed operation was bound to. */
  public long sessionId() {
    return sessionId;
  }
}
