package dev.baton.core;

import org.apache.zookeeper.KeeperException;

/**
 * The server refused the operation for want of rights: an ACL did not grant it ({@code NOAUTH}) or
 * the client's credentials were rejected ({@code AUTHFAILED}). Never retried, since retrying cannot
 * change the answer.
 */
public final class NotAuthorizedException extends BatonException {

  private final KeeperException.Code code;

  public NotAuthorizedException(String detail, KeeperException cause) {
    super(
        detail + ": " + cause.code() + " (check the client's auth info and the node's ACL)", cause);
    this.code = cause.code();
  }

  /** ZooKeeper's code: {@code NOAUTH} or {@code AUTHFAILED}. */
  public KeeperException.Code code() {
    return code;
  }
}
