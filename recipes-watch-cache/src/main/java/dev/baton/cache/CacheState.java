package dev.baton.cache;

import dev.baton.cache.CacheEvent.Added;
import dev.baton.cache.CacheEvent.Changed;
import dev.baton.cache.CacheEvent.Removed;
import dev.baton.core.ZkPath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The contents of a cache and the rules that change them: every change is judged by zxid, never by
 * arrival order or data version.
 *
 * <h2>Concurrency</h2>
 *
 * Confined: the owning engine calls it from its single lane, under its state lock.
 *
 * <h2>Failure</h2>
 *
 * Nothing here talks to ZooKeeper. Reads that come back late (a load that listed a node before it
 * was deleted, a read answered after a newer one) are recognised by zxid and dropped.
 *
 * <h2>Invariants</h2>
 *
 * <ul>
 *   <li>A read replaces a cached node only if it is a newer incarnation ({@code czxid} greater) or
 *       a newer write of the same one ({@code mzxid} greater); so versions seen only increase.
 *   <li>A deletion with zxid Z removes the cached node only if the cached state predates Z.
 *   <li>While a resync loads, deletions are remembered (tombstones) so that the load's older reads
 *       of deleted nodes are not revived when the load is applied.
 *   <li>When a resync ends, a cached node the load did not find is removed only if it provably
 *       existed before the load looked: its {@code czxid} is at most the {@code pzxid} that the
 *       load read on its nearest loaded ancestor (getData before getChildren, so every child
 *       created after that read has a larger czxid); nodes created later came from events and stay.
 * </ul>
 */
final class CacheState {

  private final ZkPath root;
  private final TreeMap<ZkPath, CachedNode> nodes = new TreeMap<>();
  private final Map<ZkPath, Long> tombstones = new HashMap<>();
  private boolean loading;
  private long highestZxid;
  private long highestAtResyncStart;

  CacheState(ZkPath root) {
    this.root = root;
  }

  Optional<CachedNode> get(ZkPath path) {
    return Optional.ofNullable(nodes.get(path));
  }

  int size() {
    return nodes.size();
  }

  NavigableMap<ZkPath, CachedNode> copy() {
    return Collections.unmodifiableNavigableMap(new TreeMap<>(nodes));
  }

  /**
   * Whether an event for {@code path} with {@code zxid} may show something the cache does not hold
   * yet (a read is needed). Unknown zxids (older servers send none) always need a read.
   */
  boolean needsRead(ZkPath path, long zxid) {
    CachedNode n = nodes.get(path);
    return n == null || zxid < 0 || n.mzxid() < zxid;
  }

  /** Applies a read of a node; returns the events it causes (none if the read is stale). */
  List<CacheEvent> applyRead(CachedNode read) {
    note(read.pzxid());
    note(read.mzxid());
    Long deletedAt = tombstones.get(read.path());
    if (deletedAt != null && deletedAt > read.mzxid() && deletedAt > read.czxid()) {
      return List.of(); // a load's read of a node deleted since
    }
    CachedNode cur = nodes.get(read.path());
    if (cur == null) {
      nodes.put(read.path(), read);
      return List.of(new Added(read));
    }
    if (read.czxid() > cur.czxid()) {
      nodes.put(read.path(), read);
      return List.of(new Removed(cur), new Added(read));
    }
    if (read.czxid() < cur.czxid()) {
      return List.of();
    }
    if (read.mzxid() > cur.mzxid()) {
      nodes.put(read.path(), read);
      return List.of(new Changed(cur, read));
    }
    if (read.pzxid() > cur.pzxid()) {
      nodes.put(read.path(), read); // children changed: no event, but a fresher resync bound
    }
    return List.of();
  }

  /** Applies a deletion the server reported with {@code zxid} (negative when unknown). */
  List<CacheEvent> applyDelete(ZkPath path, long zxid) {
    long at = zxid < 0 ? Long.MAX_VALUE : zxid;
    if (zxid >= 0) {
      note(zxid);
    }
    if (loading) {
      tombstones.merge(path, at, Math::max);
    }
    CachedNode cur = nodes.get(path);
    if (cur == null || cur.mzxid() >= at || cur.czxid() >= at) {
      return List.of();
    }
    nodes.remove(path);
    return List.of(new Removed(cur));
  }

  /** A resync starts: remember deletions until {@link #finishResync}. */
  void beginResync() {
    loading = true;
    tombstones.clear();
    highestAtResyncStart = highestZxid;
  }

  /**
   * Applies a finished load: newer reads win, and cached nodes the load did not find are removed
   * when they provably existed before it (see the class comment).
   */
  List<CacheEvent> finishResync(Map<ZkPath, CachedNode> loaded) {
    List<CacheEvent> events = new ArrayList<>();
    for (CachedNode n : new TreeMap<>(loaded).values()) {
      events.addAll(applyRead(n));
    }
    for (CachedNode cached : List.copyOf(nodes.values())) {
      if (loaded.containsKey(cached.path())) {
        continue;
      }
      if (cached.czxid() <= boundFor(cached.path(), loaded)) {
        nodes.remove(cached.path());
        events.add(new Removed(cached));
      }
    }
    loading = false;
    tombstones.clear();
    return events;
  }

  /**
   * The highest zxid before which a node under {@code path}'s nearest loaded ancestor must have
   * been created to be listed by the load.
   */
  private long boundFor(ZkPath path, Map<ZkPath, CachedNode> loaded) {
    Optional<ZkPath> p = path.parent();
    while (p.isPresent() && root.contains(p.get())) {
      CachedNode ancestor = loaded.get(p.get());
      if (ancestor != null) {
        return ancestor.pzxid();
      }
      p = p.get().parent();
    }
    // The root itself is missing: everything known before the resync began is gone with it.
    return highestAtResyncStart;
  }

  private void note(long zxid) {
    highestZxid = Math.max(highestZxid, zxid);
  }
}
