package dev.baton.cache;

import java.util.NavigableMap;
import java.util.Objects;

/**
 * What a {@link TreeCache} or {@link NodeCache} tells its listeners, in the order it applied the
 * changes.
 *
 * <p>Sequence: after the first load, an {@link Added} per node present, then {@link Initialized};
 * then one event per change applied. After every reconnect and every new session: {@link Resynced},
 * then the differences between what the cache held and what the server holds ({@link Added}, {@link
 * Changed}, {@link Removed}), then {@link Initialized} again. Several writes to one node between
 * two reads may reach listeners as one {@link Changed} (see {@link TreeCache} on coalescing).
 */
public sealed interface CacheEvent {

  /** Why a resync happened. */
  enum ResyncReason {
    /** The connection came back in the same session; events in the gap may have been missed. */
    RECONNECTED,
    /** A new session replaced an expired or lost one; its watch was set again. */
    NEW_SESSION
  }

  /**
   * The cache agrees with the server as of the load that just finished.
   *
   * @param snapshot the cache's contents at that moment (immutable, sorted by path)
   */
  record Initialized(NavigableMap<dev.baton.core.ZkPath, CachedNode> snapshot)
      implements CacheEvent {
    /** Checks the component. */
    public Initialized {
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }

  /**
   * A node appeared (created, or seen for the first time by a load).
   *
   * @param node the node
   */
  record Added(CachedNode node) implements CacheEvent {
    /** Checks the component. */
    public Added {
      Objects.requireNonNull(node, "node");
    }
  }

  /**
   * A node's data was written (same incarnation, newer {@code mzxid}).
   *
   * @param previous what the cache held
   * @param current what it holds now
   */
  record Changed(CachedNode previous, CachedNode current) implements CacheEvent {
    /** Checks the components. */
    public Changed {
      Objects.requireNonNull(previous, "previous");
      Objects.requireNonNull(current, "current");
    }
  }

  /**
   * A node is gone (deleted, or replaced by a new incarnation, which then follows as {@link
   * Added}).
   *
   * @param previous what the cache held
   */
  record Removed(CachedNode previous) implements CacheEvent {
    /** Checks the component. */
    public Removed {
      Objects.requireNonNull(previous, "previous");
    }
  }

  /**
   * A resync against the server has started; the differences and then {@link Initialized} follow.
   *
   * @param reason why
   */
  record Resynced(ResyncReason reason) implements CacheEvent {
    /** Checks the component. */
    public Resynced {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
