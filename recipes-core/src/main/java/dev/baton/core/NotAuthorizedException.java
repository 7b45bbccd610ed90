package dev.baton.core;

import org.apache.zookeeper.KeeperException;

/**
 * The server refused the operation for want of rights: an ACL did not grant it ({@code NOAUTH}),
 * the client's credentials were rejected ({@code AUTHFAILED}), or the server enforces
 * authentication and the client has none ({@code SESSIONCLOSEDREQUIRESASLAUTH}). Never retried,
 * since retrying cannot change the answer.
 */
public final class NotAuthorizedException extends BatonException {

  private final KeeperException.Code code;

  public NotAuthorizedException(String detail, KeeperException cause) {
    super(
        detail + ": " + cause.code() + " (check the client's auth info and the node's ACL)", cause);
    this.code = cause.code();
  }

  /**
   * ZooKeeper's code: {@code NOAUTH}, {@code AUTHFAILED} or {@code SESSIONCLOSEDREQUIRESASLAUTH}.
   */
  public KeeperException.Code code() {
    return code;
  }
}
