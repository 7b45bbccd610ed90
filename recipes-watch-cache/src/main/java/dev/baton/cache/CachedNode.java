package dev.baton.cache;

import dev.baton.core.ZkPath;
import java.util.Objects;

/**
 * One node as the cache last read it: its data and the parts of its stat that identify the version
 * of that data.
 *
 * <p>Identity is by zxid, not by version: {@code czxid} names one incarnation of the path (a node
 * deleted and created again gets a new one, even if its data and version look the same), and {@code
 * mzxid} names the write that produced {@link #data()}.
 *
 * @param path the client path of the node
 * @param data the node's data
 * @param czxid the zxid of the transaction that created this incarnation
 * @param mzxid the zxid of the last write of the data
 * @param pzxid the zxid of the last change to the node's children (as of this read)
 * @param version the data version (resets when the node is recreated)
 * @param ephemeralOwner the owning session for an ephemeral node, 0 otherwise
 */
public record CachedNode(
    ZkPath path,
    Payload data,
    long czxid,
    long mzxid,
    long pzxid,
    int version,
    long ephemeralOwner) {

  /** Checks the components. */
  public CachedNode {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(data, "data");
  }

  /** Whether {@code other} is the same incarnation of the node at the same data write. */
  boolean sameVersionAs(CachedNode other) {
    return czxid == other.czxid && mzxid == other.mzxid;
  }
}
