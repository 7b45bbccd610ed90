package dev.baton.core;

import java.util.Arrays;
import org.apache.zookeeper.data.Stat;

/**
 * A node's data and stat as one read returned them (so they belong together: the stat's {@code
 * mzxid} is the version of exactly these bytes).
 *
 * <p>Immutable: {@link #data()} returns a copy.
 */
public final class NodeData {

  private final byte[] data;
  private final Stat stat;

  NodeData(byte[] data, Stat stat) {
    this.data = data == null ? new byte[0] : data;
    this.stat = stat;
  }

  /** A copy of the node's data (empty, never null, for a node created without data). */
  public byte[] data() {
    return Arrays.copyOf(data, data.length);
  }

  /** The number of bytes of data. */
  public int size() {
    return data.length;
  }

  /**
   * The node's stat at the time of the read. ZooKeeper's {@link Stat} is mutable; do not change it.
   */
  public Stat stat() {
    return stat;
  }

  @Override
  public String toString() {
    return "NodeData[" + data.length + " bytes, mzxid 0x" + Long.toHexString(stat.getMzxid()) + "]";
  }
}
