package dev.baton.soak;

import dev.baton.testkit.MutualExclusionChecker;
import dev.baton.testkit.SoakContext.EndedSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * The terms of an election's leaders (from the event that made a participant act as leader to the
 * event that made it stop), judged for overlap at the end. An overlap is a failure unless the fault
 * schedule ended the earlier term's session on the servers while that term was open (an
 * EXPIRE_SESSION fault, {@link EndedSession}), the later term began after that fault did, and the
 * later term holds a larger fencing token: the limit {@code LeaderElection} documents, where the
 * servers act before any client can know and only fencing protects.
 *
 * <p>Thread-safe: terms may be recorded from any thread; {@link #judge} reads a snapshot.
 */
final class LeaderTerms {

  /** How a term ended. */
  enum End {
    /** The leader was told its connection was suspended. */
    UNCERTAIN,
    /** The leader was told its leadership was lost, with no Uncertain before. */
    LOST,
    /** It resigned. */
    RESIGNED,
    /** Still leading when the soak stopped (or closed by the soak). */
    STILL_LEADING
  }

  /**
   * What {@link #judge} found.
   *
   * @param failures the overlaps that are failures, described
   * @param afterServerEndedSession overlaps explained by a session the servers ended (see above)
   * @param longestExplainedMillis the longest of those, in milliseconds
   * @param termsEndedByFaults terms whose session a fault ended while they were open
   */
  record Verdict(
      List<String> failures,
      long afterServerEndedSession,
      long longestExplainedMillis,
      long termsEndedByFaults) {}

  private record Term(long token, long sessionId, End end) {}

  private final MutualExclusionChecker checker = new MutualExclusionChecker();
  private final Map<MutualExclusionChecker.Interval, Term> terms = new ConcurrentHashMap<>();

  /** Records a closed term, in {@link System#nanoTime()} of this JVM. */
  void record(String leader, long token, long sessionId, long startNanos, long endNanos, End end) {
    terms.put(
        MutualExclusionChecker.Interval.recorded(leader, startNanos, endNanos),
        new Term(token, sessionId, end));
    checker.record(leader, startNanos, endNanos);
  }

  /**
   * Judges every pair of overlapping terms (see the class comment).
   *
   * @param ended the sessions the fault schedule ended on the servers
   * @param timeOf writes a {@link System#nanoTime()} for the failure descriptions
   */
  Verdict judge(List<EndedSession> ended, LongFunction<String> timeOf) {
    List<String> failures = new ArrayList<>();
    long explained = 0;
    long longestNanos = 0;
    for (MutualExclusionChecker.Overlap o : checker.overlaps()) {
      Term first = terms.get(o.first());
      Term second = terms.get(o.second());
      boolean endedUnderIt =
          ended.stream()
              .anyMatch(
                  e ->
                      e.sessionId() == first.sessionId()
                          && e.startNanos() < o.first().endNanos()
                          && e.startNanos() <= o.second().startNanos());
      if (endedUnderIt && first.token() < second.token()) {
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
    long endedTerms =
        terms.entrySet().stream()
            .filter(
                t ->
                    ended.stream()
                        .anyMatch(
                            e ->
                                e.sessionId() == t.getValue().sessionId()
                                    && e.startNanos() >= t.getKey().startNanos()
                                    && e.startNanos() < t.getKey().endNanos()))
            .count();
    return new Verdict(
        failures, explained, TimeUnit.NANOSECONDS.toMillis(longestNanos), endedTerms);
  }

  private static String describe(
      MutualExclusionChecker.Interval i, Term t, LongFunction<String> timeOf) {
    return String.format(
        "%s token %d session 0x%x [%s..%s] ended %s",
        i.holder(),
        t.token(),
        t.sessionId(),
        timeOf.apply(i.startNanos()),
        timeOf.apply(i.endNanos()),
        t.end());
  }
}
