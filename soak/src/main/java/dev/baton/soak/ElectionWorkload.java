package dev.baton.soak;

import dev.baton.core.Baton;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.lock.LeaderElection;
import dev.baton.lock.Leadership;
import dev.baton.lock.LeadershipEvent;
import dev.baton.testkit.FencedResource;
import dev.baton.testkit.MutualExclusionChecker;
import dev.baton.testkit.SoakContext;
import dev.baton.testkit.SoakResult;
import dev.baton.testkit.SoakWorkload;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Leader-election participants, each on its own client: a participant acts as leader from its
 * {@code Elected} (or {@code Reconfirmed}) event to its {@code Uncertain}, {@code Lost} or {@code
 * Resigned} event (a section of a {@link MutualExclusionChecker}), and while its leadership is HELD
 * writes its epoch (the fencing token) to a {@link FencedResource} every 20 ms.
 *
 * <p>Checks: leadership overlap 0 ({@code leaderOverlaps=0}); every write the resource refused came
 * from a leadership whose loss was signalled ({@code refusedFromUnsignalledLeadership=0}). Not a
 * failure, counted apart: {@code overlapsAfterServerEndedSession}, an overlap whose earlier leader
 * was acting when it learned (Lost without Uncertain before it) that the servers had ended its
 * session while it was connected: the limit {@link LeaderElection} documents, where only fencing
 * protects (its stale epochs are among {@code epochWritesRefused}).
 *
 * <p>Thread-safe: one writer thread per participant; events arrive in order per listener.
 */
final class ElectionWorkload implements SoakWorkload {

  private final int participants;
  private final FencedResource resource = new FencedResource("soak-epoch");
  private final MutualExclusionChecker leaders = new MutualExclusionChecker();
  private final List<Leadership> refused = new CopyOnWriteArrayList<>();
  private final Set<String> endedWhileActing = ConcurrentHashMap.newKeySet();
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
          "leaderOverlaps",
          "overlapsAfterServerEndedSession",
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
    c.set("participants", participants);
    for (int i = 0; i < participants; i++) {
      String name = "leader-" + i;
      Baton client = context.client(name);
      LeaderElection election = LeaderElection.create(client, "/election/soak", name);
      AtomicReference<MutualExclusionChecker.Section> acting = new AtomicReference<>();
      election.addListener(event -> onEvent(name, event, acting));
      elections.add(election);
      election.start();
      actors.start(name, () -> writeEpochs(election, name));
    }
  }

  private void onEvent(
      String name, LeadershipEvent event, AtomicReference<MutualExclusionChecker.Section> acting) {
    if (event instanceof LeadershipEvent.Elected) {
      c.inc("elected");
      acting.set(leaders.enter(name));
    } else if (event instanceof LeadershipEvent.Reconfirmed) {
      c.inc("reconfirmed");
      acting.set(leaders.enter(name));
    } else {
      if (event instanceof LeadershipEvent.Lost lost
          && acting.get() != null
          && lost.reason() != LossReason.NODE_DELETED) {
        endedWhileActing.add(name); // the servers ended its session while it was connected
      }
      c.inc(
          event instanceof LeadershipEvent.Uncertain
              ? "uncertain"
              : event instanceof LeadershipEvent.Lost ? "lost" : "resigned");
      leave(acting);
    }
  }

  private static void leave(AtomicReference<MutualExclusionChecker.Section> acting) {
    MutualExclusionChecker.Section s = acting.getAndSet(null);
    if (s != null) {
      s.close();
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
    long explained =
        leaders.violationHistory().stream()
            .filter(v -> endedWhileActing.containsAll(v.alreadyInside()))
            .count();
    c.set("leaderOverlaps", leaders.violations() - explained);
    c.set("overlapsAfterServerEndedSession", explained);
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
    c.expect("leaderOverlaps", 0, leaders.violationHistory().toString());
    c.expect("refusedFromUnsignalledLeadership", 0, "");
    actors.crashes().forEach(t -> c.fail("writer thread crashed: " + t));
  }

  @Override
  public SoakResult result() {
    return c.result();
  }
}
