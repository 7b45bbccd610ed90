package dev.baton.core;

import java.util.List;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * Chooses the ACL of every node Baton creates. The default is ZooKeeper's open ACL ({@code
 * world:anyone} with all rights), as for any ZooKeeper client; {@link #creatorAll()} restricts
 * nodes to the authenticated creator.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface AclProvider {

  /**
   * @param path the node about to be created, relative to the client's namespace
   * @return a non-empty ACL
   */
  List<ACL> aclFor(ZkPath path);

  /** ZooKeeper's {@code OPEN_ACL_UNSAFE}: anyone may do anything. */
  static AclProvider open() {
    return path -> ZooDefs.Ids.OPEN_ACL_UNSAFE;
  }

  /**
   * ZooKeeper's {@code CREATOR_ALL_ACL}: only the identity that created a node may touch it. Needs
   * auth info on the client (for example digest), or creates fail with {@link
   * NotAuthorizedException}.
   */
  static AclProvider creatorAll() {
    return path -> ZooDefs.Ids.CREATOR_ALL_ACL;
  }
}
