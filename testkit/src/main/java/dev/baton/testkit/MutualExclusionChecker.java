package dev.baton.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * Records who holds a mutually exclusive resource (a lock's critical section) and detects when two
 * holders were inside at once.
 *
 * <p>Live use: wrap the critical section in {@code try (var s = checker.enter("client-1")) {...}}.
 * An {@link #enter} while any other section is open counts a {@linkplain #violations() violation}
 * at once, even if both sections carry the same holder name (names are only labels). Offline use:
 * {@link #record} adds an interval measured elsewhere, in {@link System#nanoTime()} of this JVM.
 *
 * <p>{@link #overlaps()} checks every pair of closed intervals, as half-open {@code [start, end)}
 * (touching is not overlapping). Two live sections are compared by sequence numbers, taken from one
 * counter together with their nanos, so their order is total and exact; a pair involving a recorded
 * interval is compared by nanos. Sequence numbers are never compared with nanos.
 *
 * <p>Thread-safe: all state sits behind one private monitor that guards only in-memory updates;
 * {@link #overlaps()} computes on a snapshot outside it.
 */
public final class MutualExclusionChecker {

  private static final int MAX_LISTED = 5;

  private final Object lock = new Object();
  private final AtomicLong sequence = new AtomicLong();
  private final Set<Section> open = new LinkedHashSet<>(); // in entry order
  private final List<Interval> closed = new ArrayList<>();
  private final List<Violation> violationList = new ArrayList<>();
  private int entered;

  /**
   * A closed stretch of time during which {@code holder} held the resource. Live sections carry
   * both sequence numbers; recorded ones carry none.
   *
   * @param holder who held it
   * @param startNanos {@link System#nanoTime()} at entry
   * @param endNanos {@link System#nanoTime()} at exit, not below {@code startNanos}
   * @param enterSequence the checker's sequence number at entry, for live sections
   * @param exitSequence the checker's sequence number at exit, for live sections
   */
  public record Interval(
      String holder,
      long startNanos,
      long endNanos,
      OptionalLong enterSequence,
      OptionalLong exitSequence) {
    /** Validates the holder, that end is not before start and the sequence numbers. */
    public Interval {
      requireNotBlank(holder, "holder");
      if (endNanos < startNanos
          || enterSequence.isPresent() != exitSequence.isPresent()
          || enterSequence.orElse(0) >= exitSequence.orElse(1)) {
        throw new IllegalArgumentException(
            String.format(
                "bad interval for '%s': nanos %d..%d, sequences %s..%s",
                holder, startNanos, endNanos, enterSequence, exitSequence));
      }
    }

    /** An interval measured outside the checker. */
    public static Interval recorded(String holder, long startNanos, long endNanos) {
      return new Interval(holder, startNanos, endNanos, OptionalLong.empty(), OptionalLong.empty());
    }

    /** Whether this came from {@link #enter} (and so carries sequence numbers). */
    public boolean live() {
      return enterSequence.isPresent();
    }

    @Override
    public String toString() {
      String seq =
          live() ? " seq " + enterSequence.getAsLong() + ".." + exitSequence.getAsLong() : "";
      return "'" + holder + "' [" + startNanos + ".." + endNanos + " ns" + seq + ")";
    }
  }

  /**
   * Two intervals that overlap; {@code first} started no later than {@code second}.
   *
   * @param first the interval that started first
   * @param second the other interval
   */
  public record Overlap(Interval first, Interval second) {
    /** Whether the pair was judged by sequence numbers (both live) rather than by nanos. */
    public boolean bySequence() {
      return first.live() && second.live();
    }
  }

  /**
   * A live {@link #enter} that found other sections open.
   *
   * @param holder who entered
   * @param enterSequence its sequence number
   * @param alreadyInside the holders of the open sections, in the order they entered
   */
  public record Violation(String holder, long enterSequence, List<String> alreadyInside) {
    /** Copies {@code alreadyInside}. */
    public Violation {
      alreadyInside = List.copyOf(alreadyInside);
    }
  }

  /** An open critical section; {@link #close()} records the exit. */
  public final class Section implements AutoCloseable {
    private final String holder;
    private final long enterSequence;
    private final long enterNanos;

    private Section(String holder, long enterSequence, long enterNanos) {
      this.holder = holder;
      this.enterSequence = enterSequence;
      this.enterNanos = enterNanos;
    }

    /** Who entered. */
    public String holder() {
      return holder;
    }

    /** Records the exit; later calls do nothing. */
    @Override
    public void close() {
      synchronized (lock) {
        if (open.remove(this)) {
          OptionalLong exitSequence = OptionalLong.of(sequence.incrementAndGet());
          OptionalLong enter = OptionalLong.of(enterSequence);
          closed.add(new Interval(holder, enterNanos, System.nanoTime(), enter, exitSequence));
        }
      }
    }
  }

  /**
   * Enters the critical section; close the returned section when leaving it. Counts a violation if
   * any other section is open.
   *
   * @param holder who enters, not blank
   * @throws IllegalArgumentException if {@code holder} is blank
   */
  public Section enter(String holder) {
    requireNotBlank(holder, "holder");
    synchronized (lock) {
      long seq = sequence.incrementAndGet();
      if (!open.isEmpty()) {
        violationList.add(new Violation(holder, seq, open.stream().map(s -> s.holder).toList()));
      }
      Section section = new Section(holder, seq, System.nanoTime());
      open.add(section);
      entered++;
      return section;
    }
  }

  /**
   * Adds an interval measured elsewhere with {@link System#nanoTime()}.
   *
   * @throws IllegalArgumentException if {@code holder} is blank or {@code endNanos < startNanos}
   */
  public void record(String holder, long startNanos, long endNanos) {
    Interval interval = Interval.recorded(holder, startNanos, endNanos);
    synchronized (lock) {
      closed.add(interval);
    }
  }

  /** Live violations counted at {@link #enter}. */
  public long violations() {
    synchronized (lock) {
      return violationList.size();
    }
  }

  /** The live violations in the order they happened; an immutable snapshot. */
  public List<Violation> violationHistory() {
    synchronized (lock) {
      return List.copyOf(violationList);
    }
  }

  /** How many times {@link #enter} was called. */
  public int sectionsEntered() {
    synchronized (lock) {
      return entered;
    }
  }

  /** All closed intervals, live and recorded, in the order they closed or were recorded. */
  public List<Interval> intervals() {
    synchronized (lock) {
      return List.copyOf(closed);
    }
  }

  /**
   * Every overlapping pair of closed intervals, ordered by the second interval's start. Sweeps the
   * intervals sorted by start: O(n log n) plus the number of overlaps.
   */
  public List<Overlap> overlaps() {
    List<Interval> all = intervals();
    List<Interval> live = all.stream().filter(Interval::live).toList();
    List<Overlap> result = new ArrayList<>();
    sweep(
        live, true, i -> i.enterSequence().getAsLong(), i -> i.exitSequence().getAsLong(), result);
    sweep(all, false, Interval::startNanos, Interval::endNanos, result);
    result.sort(
        Comparator.comparingLong((Overlap o) -> o.second().startNanos())
            .thenComparingLong(o -> o.first().startNanos()));
    return List.copyOf(result);
  }

  /**
   * Adds the overlapping pairs of {@code items}. Unless {@code bySequence}, live pairs are skipped
   * (the sequence sweep judges them); live nanos overlap only where sequences do, so this is cheap.
   */
  private static void sweep(
      List<Interval> items,
      boolean bySequence,
      ToLongFunction<Interval> start,
      ToLongFunction<Interval> end,
      List<Overlap> out) {
    List<Interval> sorted = new ArrayList<>(items);
    sorted.sort(Comparator.comparingLong(start).thenComparingLong(end));
    PriorityQueue<Interval> active = new PriorityQueue<>(Comparator.comparingLong(end));
    for (Interval x : sorted) {
      while (!active.isEmpty() && end.applyAsLong(active.peek()) <= start.applyAsLong(x)) {
        active.poll();
      }
      // Each remaining interval started no later than x and ends after x starts.
      for (Interval a : active) {
        boolean judged = bySequence || !a.live() || !x.live();
        if (judged && start.applyAsLong(a) < end.applyAsLong(x)) {
          out.add(new Overlap(a, x));
        }
      }
      active.add(x);
    }
  }

  /**
   * Fails if any live violation was counted or any closed intervals overlap.
   *
   * @throws AssertionError with the counts and the first few violations and overlaps
   */
  public void assertMutualExclusion() {
    List<Violation> violationsNow = violationHistory();
    List<Overlap> overlapsNow = overlaps();
    if (violationsNow.isEmpty() && overlapsNow.isEmpty()) {
      return;
    }
    StringBuilder m = new StringBuilder("mutual exclusion broken: " + violationsNow.size());
    m.append(" live violation(s), ").append(overlapsNow.size()).append(" overlapping pair(s)");
    for (Violation v : violationsNow.subList(0, Math.min(MAX_LISTED, violationsNow.size()))) {
      m.append("\n  '").append(v.holder()).append("' entered (seq ").append(v.enterSequence());
      m.append(") while inside: ").append(v.alreadyInside());
    }
    for (Overlap o : overlapsNow.subList(0, Math.min(MAX_LISTED, overlapsNow.size()))) {
      m.append("\n  ").append(o.first()).append(" overlaps ").append(o.second());
    }
    throw new AssertionError(m.toString());
  }

  private static String requireNotBlank(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank, got '" + value + "'");
    }
    return value;
  }
}
