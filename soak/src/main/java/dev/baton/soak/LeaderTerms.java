package dev.baton.soak;

import dev.baton.testkit.MutualExclusionChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The terms of an election's leaders (from the event that made a participant act as leader to the
 * event that made it stop), judged for overlap at the end. An overlap is a failure unless its
 * earlier term was {@link End#ENDED_BY_SERVERS ended by the servers} under a connected leader and
 * the later term holds a larger fencing token: the limit {@code LeaderElection} documents, where no
 * client can be told before the servers act and only fencing protects.
 *
 * <p>Thread-safe: terms may be recorded from any thread; {@link #judge()} reads a snapshot.
 */
final class LeaderTerms {

  /** How a term ended. */
  enum End {
    /** The leader was told its connection was suspended. */
    UNCERTAIN,
    /** Lost while acting with no Uncertain before: the servers ended the session under it. */
    ENDED_BY_SERVERS,
    /** It resigned. */
    RESIGNED,
    /** Still leading when the soak stopped (or closed by the soak). */
    STILL_LEADING
  }

  /**
   * What {@link #judge()} found.
   *
   * @param failures the overlaps that are failures, described
   * @param afterServerEndedSession overlaps explained by a term the servers ended
   * @param longestExplainedMillis the longest of those, in milliseconds
   */
  record Verdict(
      List<String> failures, long afterServerEndedSession, long longestExplainedMillis) {}

  private record Term(long token, End end) {}

  private final MutualExclusionChecker checker = new MutualExclusionChecker();
  private final Map<MutualExclusionChecker.Interval, Term> terms = new ConcurrentHashMap<>();

  /** Records a closed term, in {@link System#nanoTime()} of this JVM. */
  void record(String leader, long token, long startNanos, long endNanos, End end) {
    terms.put(
        MutualExclusionChecker.Interval.recorded(leader, startNanos, endNanos),
        new Term(token, end));
    checker.record(leader, startNanos, endNanos);
  }

  /**
   * Judges every pair of overlapping terms (see the class comment).
   *
   * @param timeOf writes a {@link System#nanoTime()} for the failure descriptions
   */
  Verdict judge(LongFunction<String> timeOf) {
    List<String> failures = new ArrayList<>();
    long explained = 0;
    long longestNanos = 0;
    for (MutualExclusionChecker.Overlap o : checker.overlaps()) {
      Term first = terms.get(o.first());
      Term second = terms.get(o.second());
      if (first.end() == End.ENDED_BY_SERVERS && first.token() < second.token()) {
        explained++;
        long overlap =
            Math.min(o.first().endNanos(), o.second().endNanos()) - o.second().startNanos();
        longestNanos = Math.max(longestNanos, overlap);
      } else {
        failures.add(
            describe(o.first(), first, timeOf)
                + " overlaps "
                + describe(o.second(), second, timeOf));
      }
    }
    return new Verdict(failures, explained, TimeUnit.NANOSECONDS.toMillis(longestNanos));
  }

  private static String describe(
      MutualExclusionChecker.Interval i, Term t, LongFunction<String> timeOf) {
    return String.format(
        "%s token %d [%s..%s] ended %s",
        i.holder(), t.token(), timeOf.apply(i.startNanos()), timeOf.apply(i.endNanos()), t.end());
  }
}
