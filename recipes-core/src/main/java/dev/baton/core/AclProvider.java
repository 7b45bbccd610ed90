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
   * @param path the node about to be created, relative to the client's namespace; for a sequential
   *     node the path before the server adds the sequence number; for the missing parents that
   *     {@link Session#ensurePath} creates, the ensured path
   * @return a non-empty ACL
   */
  List<ACL> aclFor(ZkPath path);

  /** ZooKeeper's {@code OPEN_ACL_UNSAFE}: anyone may do anything. */
  static AclProvider open() {
    return path -> ZooDefs.Ids.OPEN_ACL_UNSAFE;
  }

  /**
   * ZooKeeper's {@code CREATOR_ALL_ACL}: only the identities that created a node may touch it. The
   * server replaces it by every identity the creating connection authenticated as: its digest user
   * (see {@link Baton.Builder#digestAuth}), and also its certificate subject ({@code x509}) when it
   * connects with a client certificate. So the "creator" is an identity, not a session: every
   * client with the same credentials has the same rights. Needs auth info on the client, or creates
   * fail with a {@link ZooKeeperOperationException} of code {@code INVALIDACL}.
   */
  static AclProvider creatorAll() {
    return path -> ZooDefs.Ids.CREATOR_ALL_ACL;
  }
}
