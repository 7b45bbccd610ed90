package dev.baton.core;

/**
 * Base of every failure Baton reports. Unchecked, and sealed: callers can switch over the whole
 * family.
 *
 * <ul>
 *   <li>{@link SessionLostException}: the ZooKeeper session an operation or hold was bound to has
 *       ended (expired, replaced by a new session, or the client closed); nothing was retried in a
 *       newer session.
 *   <li>{@link ConnectionLossException}: no connection to the ensemble in time; the outcome of the
 *       operation is unknown.
 *   <li>{@link HoldLostException}: a hold (lock lease, permit, leadership, claim, membership) was
 *       lost.
 *   <li>{@link BatonTimeoutException}: a wait with a deadline ran out.
 *   <li>{@link NotAuthorizedException}: the server refused the client's credentials or an ACL
 *       refused the operation; never retried.
 *   <li>{@link ZooKeeperOperationException}: any other refusal by the server (no node, node exists,
 *       bad version, ...).
 *   <li>{@link CodecException}: a value could not be encoded or decoded by its {@link Codec};
 *       nothing was written.
 * </ul>
 *
 * <p>Misuse (bad arguments, calls in the wrong state) is reported with {@link
 * IllegalArgumentException} or {@link IllegalStateException}, not with this family.
 */
public abstract sealed class BatonException extends RuntimeException
    permits SessionLostException,
        ConnectionLossException,
        HoldLostException,
        BatonTimeoutException,
        NotAuthorizedException,
        ZooKeeperOperationException,
        CodecException {

  BatonException(String message, Throwable cause) {
    super(message, cause);
  }
}
