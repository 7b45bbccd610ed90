package dev.baton.core;

/** Why a {@link Hold} was lost. */
public enum LossReason {
  /**
   * The session expired on the server (or the client gave it up after the session timeout passed
   * unconnected).
   */
  SESSION_EXPIRED,
  /**
   * The client reconnected with a different session: the hold's session is gone and its ephemeral
   * nodes with it.
   */
  SESSION_REPLACED,
  /** The node behind the hold was deleted, or is no longer owned by the hold's session. */
  NODE_DELETED,
  /** The Baton client was closed while the hold was still held. */
  CLIENT_CLOSED
}
