package dev.baton.queue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * What a consumer knows of the queue: item names, claim names, which items it holds itself, and so
 * which are free, in delivery order. Fed by child lists and watch events, each with its zxid.
 *
 * <h2>Invariants</h2>
 *
 * A list read comes with its parent's {@code pzxid} (the zxid of the last child change it
 * reflects). An event is applied only if its zxid is higher; events that arrive while a list is
 * being read are held and applied after it by the same rule. So the index equals the server's
 * children as of the last event applied, whatever order replies and events are handled in. {@code
 * available} = items - claims - {@code busy}.
 *
 * <p>Not thread-safe: confined to its {@link QueueView}'s lock.
 */
final class QueueIndex {

  enum Kind {
    ITEMS,
    CLAIMS
  }

  /** A child created or deleted, as a watch event reported it. */
  record Change(Kind kind, String name, boolean created, long zxid) {}

  /** Per watched parent: the zxid up to which the index reflects it, and changes held meanwhile. */
  private static final class Track {
    long pzxid = Long.MAX_VALUE;
    boolean loading = true;
    final List<Change> held = new ArrayList<>();
  }

  /** The outcome of {@link #pick}: an item, or when the earliest delayed item falls due. */
  record Pick(ItemName item, List<String> needDueTime, long nextDueMillis) {}

  private final Map<Kind, Track> tracks = new EnumMap<>(Kind.class);
  private final Map<String, ItemName> items = new HashMap<>();
  private final Set<String> claims = new HashSet<>();
  private final Set<String> busy = new HashSet<>();
  private final TreeSet<ItemName> available = new TreeSet<>(ItemName.ORDER);
  private final Map<String, Long> dueAt = new HashMap<>();
  private final Set<String> dueFetching = new HashSet<>();
  private final Set<String> claimedByOthers = new HashSet<>();

  QueueIndex() {
    clear();
  }

  void clear() {
    tracks.clear();
    for (Kind k : Kind.values()) {
      tracks.put(k, new Track());
    }
    items.clear();
    claims.clear();
    busy.clear();
    available.clear();
    dueAt.clear();
    dueFetching.clear();
    claimedByOthers.clear();
  }

  /** A list of {@code kind} is about to be read: hold its changes until it lands. */
  void startLoading(Kind kind) {
    tracks.get(kind).loading = true;
  }

  /** A list landed: replace that side, then apply the held changes newer than it. */
  void applyList(Kind kind, List<String> names, long pzxid) {
    Track track = tracks.get(kind);
    if (kind == Kind.ITEMS) {
      items.clear();
      for (String name : names) {
        ItemName.parse(name).ifPresent(n -> items.put(name, n));
      }
    } else {
      claims.clear();
      claims.addAll(names);
    }
    track.pzxid = pzxid;
    track.loading = false;
    track.held.forEach(this::apply);
    track.held.clear();
    available.clear();
    items.keySet().forEach(this::offer);
  }

  /** A watch event: applied now, held while its side is loading, or ignored if not newer. */
  void onChange(Change change) {
    Track track = tracks.get(change.kind());
    if (track.loading) {
      track.held.add(change);
    } else {
      apply(change);
    }
  }

  private void apply(Change c) {
    Track track = tracks.get(c.kind());
    if (c.zxid() <= track.pzxid) {
      return;
    }
    String name = c.name();
    if (c.kind() == Kind.ITEMS && c.created()) {
      ItemName.parse(name)
          .ifPresent(
              n -> {
                items.put(name, n);
                offer(name);
              });
    } else if (c.kind() == Kind.ITEMS) {
      forgetItem(name);
      claimedByOthers.remove(name);
    } else if (c.created()) {
      claims.add(name);
      ItemName n = items.get(name);
      if (n != null) {
        available.remove(n);
      }
      if (!busy.contains(name)) {
        claimedByOthers.add(name);
      }
    } else {
      claims.remove(name);
      offer(name);
    }
  }

  private void forgetItem(String name) {
    ItemName n = items.remove(name);
    if (n != null) {
      available.remove(n);
    }
    dueAt.remove(name);
    dueFetching.remove(name);
  }

  /** Makes the item available if it exists, is unclaimed and not ours. */
  private void offer(String name) {
    ItemName n = items.get(name);
    if (n != null && !claims.contains(name) && !busy.contains(name)) {
      available.add(n);
    }
  }

  /**
   * The next free, due item, now marked busy; delayed items whose due time is unknown are listed
   * for fetching (once each) and skipped meanwhile.
   *
   * @param nowMillis the servers' time
   * @param spread pick at random among the first few candidates (as also when other consumers'
   *     claims are in view) so that several consumers stop colliding on the head of the queue; a
   *     lone consumer keeps strict order
   */
  Pick pick(long nowMillis, boolean spread, RandomGenerator random) {
    List<String> fetch = new ArrayList<>();
    long nextDue = Long.MAX_VALUE;
    // Claims we did not make mean other consumers are at work.
    boolean othersActive = false;
    for (String claim : claims) {
      if (!busy.contains(claim)) {
        othersActive = true;
        break;
      }
    }
    int wanted = spread || othersActive ? 8 : 1;
    List<ItemName> candidates = new ArrayList<>(wanted);
    for (ItemName n : available) {
      if (n.delayed()) {
        Long due = dueAt.get(n.name());
        if (due == null) {
          if (dueFetching.add(n.name())) {
            fetch.add(n.name());
          }
          continue;
        }
        if (due > nowMillis) {
          nextDue = Math.min(nextDue, due);
          continue;
        }
      }
      candidates.add(n);
      if (candidates.size() >= wanted) {
        break;
      }
    }
    if (candidates.isEmpty()) {
      return new Pick(null, fetch, nextDue);
    }
    ItemName pick = candidates.get(random.nextInt(candidates.size()));
    busy.add(pick.name());
    available.remove(pick);
    return new Pick(pick, fetch, nextDue);
  }

  /** A delayed item's due time, once its creation time is known (absent: it is gone). */
  void dueTime(String name, Long dueMillisOrNull) {
    dueFetching.remove(name);
    if (dueMillisOrNull != null && items.containsKey(name)) {
      dueAt.put(name, dueMillisOrNull);
    }
  }

  /** This consumer is done with the item (acked, released or never got it). */
  void unbusy(String name) {
    busy.remove(name);
    offer(name);
  }

  /**
   * The item node is gone although the index still listed it (its deletion happened while we were
   * disconnected and the re-read has not landed yet). It stays busy until our claim on it is
   * deleted ({@link #unbusy}), so it never counts as another consumer's claim.
   */
  void gone(String name) {
    forgetItem(name);
  }

  /**
   * Our claim lost a race: another consumer held the claim when the server answered. Its creation
   * event came before that answer, so the index already counts the claim unless the claim's
   * deletion has been applied since (the answer can be handled after later events on another
   * thread); adding it here again would leave the item claimed by nobody in this index for good. So
   * only let go of it and offer it if the index says it is free.
   */
  void claimedElsewhere(String name) {
    busy.remove(name);
    claimedByOthers.add(name);
    offer(name);
  }

  boolean wasClaimedByOthers(String name) {
    return claimedByOthers.contains(name);
  }

  int depth() {
    return items.size();
  }

  int availableCount() {
    return available.size();
  }
}
