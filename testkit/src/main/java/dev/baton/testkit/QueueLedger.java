package dev.baton.testkit;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A ledger of a work queue's life: what was produced, delivered to consumers and acknowledged. Its
 * {@link #report()} proves the queue lost nothing and re-delivered only unacknowledged items
 * (at-least-once): every produced item is acked, nothing unknown was delivered or acked, no item
 * was acked twice, and no item was delivered after its ack.
 *
 * <p>A report taken while producers and consumers still run is consistent per item but not across
 * items; take it after they stop for exact totals.
 *
 * <p>Thread-safe: each item's immutable record is replaced atomically by {@link
 * ConcurrentHashMap#compute}, so a delivery racing an ack of the same item is judged by whichever
 * was recorded first.
 */
public final class QueueLedger {

  /** How many ids per failing category {@link #assertComplete()} lists. */
  private static final int MAX_LISTED = 10;

  private final Map<String, Item> items = new ConcurrentHashMap<>();

  /** The history of one item; replaced, never mutated. */
  private record Item(
      boolean produced, long deliveries, long acks, boolean deliveredAfterAck, long redeliveries) {
    static final Item NONE = new Item(false, 0, 0, false, 0);
  }

  /**
   * What the ledger saw. The sets are unmodifiable, sorted copies.
   *
   * @param produced how many items were produced
   * @param delivered how many deliveries were recorded, redeliveries included
   * @param acked how many acks were recorded, duplicates included
   * @param lost items produced but never acked
   * @param unknown items delivered or acked but never produced
   * @param duplicateAcks items acked more than once
   * @param deliveredAfterAck items delivered after their ack was recorded: acked work re-delivered
   * @param redeliveries deliveries beyond an item's first made before it was acked (allowed by
   *     at-least-once delivery)
   */
  public record LedgerReport(
      long produced,
      long delivered,
      long acked,
      Set<String> lost,
      Set<String> unknown,
      Set<String> duplicateAcks,
      Set<String> deliveredAfterAck,
      long redeliveries) {
    /** Copies the sets; rejects negative counts. */
    public LedgerReport {
      requireNonNegative(produced, "produced");
      requireNonNegative(delivered, "delivered");
      requireNonNegative(acked, "acked");
      requireNonNegative(redeliveries, "redeliveries");
      lost = sortedCopy(lost, "lost");
      unknown = sortedCopy(unknown, "unknown");
      duplicateAcks = sortedCopy(duplicateAcks, "duplicateAcks");
      deliveredAfterAck = sortedCopy(deliveredAfterAck, "deliveredAfterAck");
    }

    /** Whether nothing was lost, unknown, acked twice or delivered after its ack. */
    public boolean ok() {
      return lost.isEmpty()
          && unknown.isEmpty()
          && duplicateAcks.isEmpty()
          && deliveredAfterAck.isEmpty();
    }

    /** One line with all the counts and the verdict. */
    public String summary() {
      return "produced="
          + produced
          + " delivered="
          + delivered
          + " acked="
          + acked
          + " redeliveries="
          + redeliveries
          + " lost="
          + lost.size()
          + " unknown="
          + unknown.size()
          + " duplicateAcks="
          + duplicateAcks.size()
          + " deliveredAfterAck="
          + deliveredAfterAck.size()
          + (ok() ? " OK" : " FAILED");
    }

    private static void requireNonNegative(long value, String what) {
      if (value < 0) {
        throw new IllegalArgumentException(what + " must not be negative, got " + value);
      }
    }

    private static Set<String> sortedCopy(Set<String> ids, String what) {
      Objects.requireNonNull(ids, what);
      return Collections.unmodifiableSortedSet(new TreeSet<>(ids));
    }
  }

  /**
   * Records that an item was put on the queue.
   *
   * @param itemId the item's id, not blank and unique within this ledger
   * @throws IllegalArgumentException if {@code itemId} is blank or was produced before
   */
  public void produced(String itemId) {
    requireNotBlank(itemId, "itemId");
    items.compute(
        itemId,
        (id, old) -> {
          Item i = old == null ? Item.NONE : old;
          if (i.produced()) {
            throw new IllegalArgumentException(
                "item '" + id + "' was already produced; item ids must be unique");
          }
          return new Item(true, i.deliveries(), i.acks(), i.deliveredAfterAck(), i.redeliveries());
        });
  }

  /**
   * Records that the queue handed an item to a consumer. A delivery after the item's ack marks it
   * as delivered-after-ack; a further delivery before the ack counts as a redelivery.
   *
   * @param itemId the item's id, not blank
   * @param consumer who received it, not blank (a label: the report does not split by consumer)
   * @throws IllegalArgumentException if {@code itemId} or {@code consumer} is blank
   */
  public void delivered(String itemId, String consumer) {
    requireNotBlank(itemId, "itemId");
    requireNotBlank(consumer, "consumer");
    items.compute(
        itemId,
        (id, old) -> {
          Item i = old == null ? Item.NONE : old;
          boolean afterAck = i.acks() > 0;
          boolean redelivery = !afterAck && i.deliveries() > 0;
          return new Item(
              i.produced(),
              i.deliveries() + 1,
              i.acks(),
              i.deliveredAfterAck() || afterAck,
              i.redeliveries() + (redelivery ? 1 : 0));
        });
  }

  /**
   * Records that a consumer acknowledged (finished) an item.
   *
   * @param itemId the item's id, not blank
   * @param consumer who acked it, not blank (a label: the report does not split by consumer)
   * @throws IllegalArgumentException if {@code itemId} or {@code consumer} is blank
   */
  public void acked(String itemId, String consumer) {
    requireNotBlank(itemId, "itemId");
    requireNotBlank(consumer, "consumer");
    items.compute(
        itemId,
        (id, old) -> {
          Item i = old == null ? Item.NONE : old;
          return new Item(
              i.produced(), i.deliveries(), i.acks() + 1, i.deliveredAfterAck(), i.redeliveries());
        });
  }

  /** What the ledger saw so far. */
  public LedgerReport report() {
    long produced = 0;
    long delivered = 0;
    long acked = 0;
    long redeliveries = 0;
    Set<String> lost = new HashSet<>();
    Set<String> unknown = new HashSet<>();
    Set<String> duplicateAcks = new HashSet<>();
    Set<String> deliveredAfterAck = new HashSet<>();
    for (Map.Entry<String, Item> e : items.entrySet()) {
      String id = e.getKey();
      Item i = e.getValue();
      delivered += i.deliveries();
      acked += i.acks();
      redeliveries += i.redeliveries();
      if (i.produced()) {
        produced++;
        if (i.acks() == 0) {
          lost.add(id);
        }
      } else {
        unknown.add(id);
      }
      if (i.acks() > 1) {
        duplicateAcks.add(id);
      }
      if (i.deliveredAfterAck()) {
        deliveredAfterAck.add(id);
      }
    }
    return new LedgerReport(
        produced, delivered, acked, lost, unknown, duplicateAcks, deliveredAfterAck, redeliveries);
  }

  /**
   * Fails unless the {@link #report()} is {@linkplain LedgerReport#ok() ok}.
   *
   * @throws AssertionError with the summary and up to ten ids of each failing category
   */
  public void assertComplete() {
    LedgerReport r = report();
    if (r.ok()) {
      return;
    }
    StringBuilder m = new StringBuilder("queue ledger incomplete: ").append(r.summary());
    appendIds(m, "lost (produced, never acked)", r.lost());
    appendIds(m, "unknown (never produced)", r.unknown());
    appendIds(m, "acked more than once", r.duplicateAcks());
    appendIds(m, "delivered after ack", r.deliveredAfterAck());
    throw new AssertionError(m.toString());
  }

  private static void appendIds(StringBuilder m, String label, Set<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    List<String> first = ids.stream().limit(MAX_LISTED).toList();
    m.append("\n  ").append(label).append(": ").append(first);
    if (ids.size() > first.size()) {
      m.append(" and ").append(ids.size() - first.size()).append(" more");
    }
  }

  private static String requireNotBlank(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank, got '" + value + "'");
    }
    return value;
  }
}
