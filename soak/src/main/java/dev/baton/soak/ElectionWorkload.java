package dev.baton.soak;

import dev.baton.core.Baton;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.lock.LeaderElection;
import dev.baton.lock.Leadership;
import dev.baton.lock.LeadershipEvent;
import dev.baton.soak.LeaderTerms.End;
import dev.baton.testkit.FencedResource;
import dev.baton.testkit.SoakContext;
import dev.baton.testkit.SoakResult;
import dev.baton.testkit.SoakWorkload;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Leader-election participants, each on its own client: a participant acts as leader from its
 * {@code Elected} (or {@code Reconfirmed}) event to its {@code Uncertain}, {@code Lost} or {@code
 * Resigned} event (a term, judged by {@link LeaderTerms}), and while its leadership is HELD writes
 * its epoch (the fencing token) to a {@link FencedResource} every 20 ms. A leading participant is
 * marked busy, so half the client faults strike the leader.
 *
 * <p>Checks: leadership overlap 0 ({@code leaderOverlaps=0}: no two terms overlap in time); every
 * write the resource refused came from a leadership whose loss was signalled ({@code
 * refusedFromUnsignalledLeadership=0}). One kind of overlap is counted apart, as the limit {@link
 * LeaderElection} documents rather than a failure: the fault schedule ended the earlier leader's
 * session on the servers while it was connected and leading (an EXPIRE_SESSION fault: in production
 * an operator, or a process pause past the session timeout), the later term began after that fault
 * did and holds a larger token. No client can learn of that before the servers act, so the next
 * participant may be elected before the old one is told; only fencing protects (the old leader's
 * late epochs are among {@code epochWritesRefused}). Such overlaps are {@code
 * overlapsAfterServerEndedSession}, their longest in {@code longestSuchOverlapMillis}; {@code
 * termsEndedByFaults} counts the terms a fault ended that way, with or without an overlap.
 *
 * <p>Thread-safe: one writer thread per participant; events arrive in order per listener.
 */
final class ElectionWorkload implements SoakWorkload {

  private record Open(long token, long sessionId, long startNanos) {}

  private final int participants;
  private final FencedResource resource = new FencedResource("soak-epoch");
  private final LeaderTerms terms = new LeaderTerms();
  private volatile SoakContext context;
  private final Map<String, AtomicReference<Open>> acting = new ConcurrentHashMap<>();
  private final List<Leadership> refused = new CopyOnWriteArrayList<>();
  private final List<LeaderElection> elections = new CopyOnWriteArrayList<>();
  private final Actors actors = new Actors("soak-election");
  private final Counters c =
      new Counters(
          "election",
          "participants",
          "elected",
          "uncertain",
          "reconfirmed",
          "lost",
          "resigned",
          "epochWritesAccepted",
          "epochWritesRefused",
          "termsEndedByFaults",
          "leaderOverlaps",
          "overlapsAfterServerEndedSession",
          "longestSuchOverlapMillis",
          "refusedFromUnsignalledLeadership");

  ElectionWorkload(int participants) {
    this.participants = participants;
  }

  @Override
  public String name() {
    return "election";
  }

  @Override
  public void start(SoakContext context) {
    this.context = context;
    c.set("participants", participants);
    for (int i = 0; i < participants; i++) {
      String name = "leader-" + i;
      Baton client = context.client(name);
      LeaderElection election = LeaderElection.create(client, "/election/soak", name);
      acting.put(name, new AtomicReference<>());
      election.addListener(event -> onEvent(context, client, name, event));
      elections.add(election);
      election.start();
      actors.start(name, () -> writeEpochs(election, name));
    }
  }

  private void onEvent(SoakContext context, Baton client, String name, LeadershipEvent event) {
    AtomicReference<Open> open = acting.get(name);
    if (event instanceof LeadershipEvent.Elected || event instanceof LeadershipEvent.Reconfirmed) {
      c.inc(event instanceof LeadershipEvent.Elected ? "elected" : "reconfirmed");
      Leadership l = event.leadership();
      open.set(new Open(l.fencingToken(), l.sessionId(), System.nanoTime()));
      context.busy(client, true);
      return;
    }
    End end;
    if (event instanceof LeadershipEvent.Uncertain) {
      c.inc("uncertain");
      end = End.UNCERTAIN;
    } else if (event instanceof LeadershipEvent.Lost lost) {
      c.inc("lost");
      end = lost.reason() == LossReason.CLIENT_CLOSED ? End.STILL_LEADING : End.LOST;
    } else {
      c.inc("resigned");
      end = End.RESIGNED;
    }
    context.busy(client, false);
    endTerm(name, open, end);
  }

  private void endTerm(String name, AtomicReference<Open> open, End end) {
    Open o = open.getAndSet(null);
    if (o != null) {
      terms.record(name, o.token(), o.sessionId(), o.startNanos(), System.nanoTime(), end);
    }
  }

  private void writeEpochs(LeaderElection election, String name) throws InterruptedException {
    while (actors.running()) {
      Optional<Leadership> l = election.currentLeadership();
      if (l.isPresent() && l.get().state() == HoldState.HELD) {
        if (resource.write(l.get().fencingToken(), name, "epoch " + l.get().fencingToken())) {
          c.inc("epochWritesAccepted");
        } else {
          c.inc("epochWritesRefused");
          refused.add(l.get());
        }
      }
      Actors.pace(20);
    }
  }

  @Override
  public void stop() throws InterruptedException {
    actors.stop(Duration.ofSeconds(20));
    acting.forEach((name, open) -> endTerm(name, open, End.STILL_LEADING));
    judgeOverlaps();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (Leadership l : refused) {
      while (!l.lost().toCompletableFuture().isDone() && System.nanoTime() < deadline) {
        Actors.pace(50);
      }
      if (!l.lost().toCompletableFuture().isDone()) {
        c.inc("refusedFromUnsignalledLeadership");
      }
    }
    elections.forEach(LeaderElection::close);
    c.expect("refusedFromUnsignalledLeadership", 0, "");
    actors.crashes().forEach(t -> c.fail("writer thread crashed: " + t));
  }

  private void judgeOverlaps() {
    LeaderTerms.Verdict v = terms.judge(context.sessionsEndedByFaults(), context::timeOf);
    c.set("termsEndedByFaults", v.termsEndedByFaults());
    c.set("leaderOverlaps", v.failures().size());
    c.set("overlapsAfterServerEndedSession", v.afterServerEndedSession());
    c.set("longestSuchOverlapMillis", v.longestExplainedMillis());
    c.expect("leaderOverlaps", 0, v.failures().toString());
  }

  @Override
  public SoakResult result() {
    return c.result();
  }
}
