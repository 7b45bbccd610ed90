package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.HoldLostException;
import dev.baton.core.HoldState;
import dev.baton.core.LossReason;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.FencedResource;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Leader election against a real 3-node ensemble (backend from the environment). */
@WithZooKeeper(size = 3, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class LeaderElectionTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ZkPath ELECTION = ZkPath.of("/elections/billing");

  static List<ElectionParticipant> leaders(List<ElectionParticipant> ps) {
    return ps.stream().filter(p -> p.election.isLeader()).toList();
  }

  static ElectionParticipant awaitSoleLeaderOtherThan(
      List<ElectionParticipant> ps, ElectionParticipant old) {
    return await()
        .atMost(WAIT)
        .until(() -> leaders(ps), now -> now.size() == 1 && now.get(0) != old)
        .get(0);
  }

  static void awaitContenders(Baton observer, int n) {
    DistributedLock lock = DistributedLock.create(observer, ELECTION);
    await()
        .atMost(WAIT)
        .until(
            () -> {
              LockInfo i = lock.inspect();
              return i.holder().map(h -> 1).orElse(0) + i.waiters().size() == n;
            });
  }

  static void awaitWriteWith(FencedResource resource, Leadership term) {
    await().atMost(WAIT).until(() -> resource.highestToken().orElse(0) == term.fencingToken());
  }

  @Test
  void threeParticipants_haveExactlyOneLeader_andOnResignOrClose_theNextInLineIsElected(
      TestClients clients) throws Exception {
    Baton observer = clients.connect();
    List<ElectionParticipant> ps =
        List.of(
            ElectionParticipant.direct(clients, "p0"),
            ElectionParticipant.direct(clients, "p1"),
            ElectionParticipant.direct(clients, "p2"));
    ps.forEach(p -> p.election.start());
    ElectionParticipant first = awaitSoleLeaderOtherThan(ps, null);
    awaitContenders(observer, 3);
    Leadership t1 = first.leadership();
    assertThat(t1.participantId()).isEqualTo(first.id);
    for (ElectionParticipant p : ps) {
      assertThat(p.election.leader()).contains(first.id);
      assertThat(p.election.currentLeadership().isPresent()).isEqualTo(p == first);
    }

    t1.resign().get(30, TimeUnit.SECONDS);
    assertThat(t1.state()).isEqualTo(HoldState.RELEASED);
    ElectionParticipant second = awaitSoleLeaderOtherThan(ps, first);
    Leadership t2 = second.leadership();
    assertThat(t2.fencingToken()).isGreaterThan(t1.fencingToken());
    awaitContenders(observer, 3); // the resigned one is back in line, last
    assertThat(first.election.leader()).contains(second.id);

    second.election.close();
    ElectionParticipant third = awaitSoleLeaderOtherThan(ps, second);
    assertThat(third).isNotSameAs(first); // FIFO: the one that never led comes before it
    assertThat(third.leadership().fencingToken()).isGreaterThan(t2.fencingToken());
    awaitContenders(observer, 2);

    await().atMost(WAIT).until(() -> first.kinds(t1).size() == 2 && second.kinds(t2).size() == 2);
    assertThat(first.kinds(t1)).containsExactly("Elected", "Resigned");
    assertThat(second.kinds(t2)).containsExactly("Elected", "Resigned");
    for (ElectionParticipant p : ps) {
      assertThat(p.told).allMatch(t -> t.thread().startsWith(p.client.name() + "-events-"));
      p.election.close();
    }
  }

  @Test
  void leaderSessionExpired_anotherIsElected_andTheOldLeadersWritesAreRefused(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    ElectionParticipant a = ElectionParticipant.direct(clients, "a");
    ElectionParticipant b = ElectionParticipant.direct(clients, "b");
    a.election.start();
    await().atMost(WAIT).until(a.election::isLeader);
    b.election.start();
    awaitContenders(clients.connect(), 2);
    Leadership old = a.leadership();
    FencedResource resource = new FencedResource("billing");
    assertThat(resource.write(old.fencingToken(), "a", "before")).isTrue();

    zk.expireSession(a.client);

    await().atMost(WAIT).until(b.election::isLeader);
    Leadership next = b.leadership();
    assertThat(next.fencingToken()).isGreaterThan(old.fencingToken());
    assertThat(resource.write(next.fencingToken(), "b", "after")).isTrue();
    // However late the deposed leader learns of it, its token is refused downstream ...
    assertThat(resource.write(old.fencingToken(), "a", "stale")).isFalse();
    await().atMost(WAIT).until(() -> old.state() == HoldState.LOST);
    await() // the old session is over for the client too: nothing it sends can reach the servers
        .atMost(WAIT)
        .until(() -> a.client.currentSession().filter(x -> x.id() != old.sessionId()).isPresent());
    // Told by the deletion of its node, or by the expiry when it reconnects, whichever comes first.
    assertThat(old.lossReason().orElseThrow())
        .isIn(LossReason.NODE_DELETED, LossReason.SESSION_EXPIRED);
    assertThat(old.lost().toCompletableFuture().get(30, TimeUnit.SECONDS))
        .isEqualTo(old.lossReason().orElseThrow());
    // ... and in ZooKeeper.
    assertThatThrownBy(
            () ->
                old.guardedWrite()
                    .create(ZkPath.of("/stale"), new byte[0], CreateMode.PERSISTENT)
                    .commit())
        .isInstanceOf(HoldLostException.class);
    assertThat(
            next.guardedWrite()
                .create(ZkPath.of("/fresh"), new byte[0], CreateMode.PERSISTENT)
                .commit())
        .hasSize(1);
    Session s = clients.connect().awaitSession(WAIT);
    assertThat(s.exists(ZkPath.of("/stale"), Optional.empty()).get()).isEmpty();
    assertThat(s.exists(ZkPath.of("/fresh"), Optional.empty()).get()).isPresent();
    await().atMost(WAIT).until(() -> a.first(LeadershipEvent.Lost.class, old).isPresent());
    assertThat(
            ((LeadershipEvent.Lost) a.first(LeadershipEvent.Lost.class, old).get().event())
                .reason())
        .isEqualTo(old.lossReason().orElseThrow());
    assertThat(a.election.leader()).contains("b");
    a.election.close();
    b.election.close();
  }

  /** How a leader is cut off: connections reset at once, or a silent partition. */
  enum CutOff {
    /** Every connection reset: the client knows at once. */
    RESET,
    /**
     * Every byte dropped, connections left open: the client knows only when its read timeout (two
     * thirds of the session timeout) passes without an answer, the servers only at the session
     * timeout. This is where "told before anyone else is elected" is timing, not luck.
     */
    SILENT;

    void apply(ElectionParticipant p) {
      if (this == RESET) {
        p.proxy.orElseThrow().cutOff();
      } else {
        p.proxy.orElseThrow().partition();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(CutOff.class)
  void leaderCutOffPastTheSessionTimeout_isUncertainBeforeAnotherIsElected_andNeverWritesStale(
      CutOff how, TestClients clients) throws Exception {
    Baton observer = clients.connect();
    List<ElectionParticipant> ps =
        List.of(
            ElectionParticipant.proxied(clients, "p0"),
            ElectionParticipant.proxied(clients, "p1"),
            ElectionParticipant.proxied(clients, "p2"));
    FencedResource resource = new FencedResource("billing");
    List<Leadership> terms = new ArrayList<>();
    List<ElectionParticipant> leaders = new ArrayList<>();
    try (FencedWriters writers = new FencedWriters(ps, resource)) {
      ps.forEach(p -> p.election.start());
      leaders.add(awaitSoleLeaderOtherThan(ps, null));
      terms.add(leaders.get(0).leadership());
      awaitContenders(observer, 3);
      awaitWriteWith(resource, terms.get(0));
      for (int round = 1; round <= 2; round++) {
        ElectionParticipant deposed = leaders.get(round - 1);
        Leadership term = terms.get(round - 1);
        how.apply(deposed);
        leaders.add(awaitSoleLeaderOtherThan(ps, deposed));
        terms.add(leaders.get(round).leadership());
        awaitWriteWith(resource, terms.get(round));
        await()
            .atMost(WAIT)
            .until(() -> deposed.first(LeadershipEvent.Lost.class, term).isPresent());
        deposed.proxy.orElseThrow().heal();
        awaitContenders(observer, 3); // back in line, in its next session
      }
      assertThat(writers.refused).isEmpty();
    }

    resource.assertNoStaleWrites();
    assertThat(terms).extracting(Leadership::fencingToken).isSorted().doesNotHaveDuplicates();
    assertThat(resource.acceptedHistory())
        .extracting(FencedResource.Write::token)
        .isSorted()
        .containsAll(terms.stream().map(Leadership::fencingToken).toList());
    for (int round = 1; round <= 2; round++) {
      ElectionParticipant deposed = leaders.get(round - 1);
      Leadership term = terms.get(round - 1);
      // Told to stop long before the servers let anyone else lead, then told it lost.
      long uncertain = deposed.first(LeadershipEvent.Uncertain.class, term).orElseThrow().atNanos();
      long elected =
          leaders
              .get(round)
              .first(LeadershipEvent.Elected.class, terms.get(round))
              .orElseThrow()
              .atNanos();
      assertThat(uncertain).isLessThan(elected);
      assertThat(deposed.kinds(term)).containsExactly("Elected", "Uncertain", "Lost");
      assertThat(term.lossReason()).contains(LossReason.SESSION_EXPIRED);
    }
    ps.forEach(p -> p.election.close());
  }

  /**
   * When the servers end a connected leader's session (as after a pause longer than the session
   * timeout), nothing can tell it before they delete its node: the next participant may be elected
   * first. Fencing is what protects then; and the deposed leader stops as soon as it is told.
   */
  @Test
  void leaderSessionExpiredWhileConnected_itsLateWritesAreRefusedByFencing_andItStopsOnceTold(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Baton observer = clients.connect();
    List<ElectionParticipant> ps =
        List.of(
            ElectionParticipant.direct(clients, "p0"),
            ElectionParticipant.direct(clients, "p1"),
            ElectionParticipant.direct(clients, "p2"));
    FencedResource resource = new FencedResource("billing");
    List<Leadership> terms = new ArrayList<>();
    List<ElectionParticipant> leaders = new ArrayList<>();
    List<FencedWriters.Refused> refused;
    try (FencedWriters writers = new FencedWriters(ps, resource)) {
      ps.forEach(p -> p.election.start());
      leaders.add(awaitSoleLeaderOtherThan(ps, null));
      terms.add(leaders.get(0).leadership());
      awaitContenders(observer, 3);
      awaitWriteWith(resource, terms.get(0));
      for (int round = 1; round <= 3; round++) {
        ElectionParticipant deposed = leaders.get(round - 1);
        Leadership term = terms.get(round - 1);
        zk.expireSession(deposed.client);
        leaders.add(awaitSoleLeaderOtherThan(ps, deposed));
        terms.add(leaders.get(round).leadership());
        awaitWriteWith(resource, terms.get(round));
        await()
            .atMost(WAIT)
            .until(() -> deposed.first(LeadershipEvent.Lost.class, term).isPresent());
        awaitContenders(observer, 3); // back in line, in its next session
      }
      refused = writers.refused;
    }

    // The resource took every term in order; whatever it refused came from an expired term ...
    assertThat(terms).extracting(Leadership::fencingToken).isSorted().doesNotHaveDuplicates();
    assertThat(resource.acceptedHistory())
        .extracting(FencedResource.Write::token)
        .isSorted()
        .containsAll(terms.stream().map(Leadership::fencingToken).toList());
    assertThat(resource.staleWrites()).isEqualTo(refused.size());
    List<Long> expired = terms.subList(0, 3).stream().map(Leadership::fencingToken).toList();
    assertThat(refused).extracting(FencedWriters.Refused::token).allMatch(expired::contains);
    // ... and was decided before that leader was told it may not lead any more: once told, it
    // stopped.
    for (FencedWriters.Refused r : refused) {
      Leadership term = terms.get(expired.indexOf(r.token()));
      ElectionParticipant.Told firstNews =
          r.by().told.stream()
              .filter(t -> t.event().leadership() == term)
              .filter(t -> !(t.event() instanceof LeadershipEvent.Elected))
              .findFirst()
              .orElseThrow();
      assertThat(r.decidedAtNanos()).isLessThan(firstNews.atNanos());
    }
    for (int round = 0; round < 3; round++) {
      assertThat(leaders.get(round).kinds(terms.get(round))).first().isEqualTo("Elected");
      assertThat(leaders.get(round).kinds(terms.get(round))).last().isEqualTo("Lost");
    }
    System.out.printf(
        "[measure] %d late writes of expired leaders refused by fencing, %d accepted%n",
        refused.size(), resource.acceptedWrites());
    ps.forEach(p -> p.election.close());
  }

  @Test
  void deposedLeader_reContendsInItsNextSession_andLeadsAgainWithALargerToken(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Baton observer = clients.connect();
    ElectionParticipant a = ElectionParticipant.direct(clients, "a");
    ElectionParticipant b = ElectionParticipant.direct(clients, "b");
    a.election.start();
    await().atMost(WAIT).until(a.election::isLeader);
    Leadership t1 = a.leadership();
    b.election.start();
    awaitContenders(observer, 2);

    zk.expireSession(a.client);
    await().atMost(WAIT).until(b.election::isLeader);
    Leadership t2 = b.leadership();
    await().atMost(WAIT).until(() -> t1.state() == HoldState.LOST);
    // Lost by its node's deletion, the client may not know yet that its session is over.
    await()
        .atMost(WAIT)
        .until(() -> a.client.currentSession().filter(x -> x.id() != t1.sessionId()).isPresent());
    long nextSession = a.client.awaitSession(WAIT).id();
    DistributedLock lock = DistributedLock.create(observer, ELECTION);
    await() // back in line, behind b, with a node of its next session
        .atMost(WAIT)
        .until(
            () ->
                lock.inspect().waiters().stream()
                    .map(LockInfo.Contender::sessionId)
                    .toList()
                    .equals(List.of(nextSession)));
    assertThat(a.election.currentLeadership()).isEmpty();
    await().atMost(WAIT).until(() -> a.first(LeadershipEvent.Lost.class, t1).isPresent());

    b.election.close();
    await().atMost(WAIT).until(a.election::isLeader);
    Leadership t3 = a.leadership();
    assertThat(t3).isNotSameAs(t1);
    assertThat(t3.fencingToken()).isGreaterThan(t2.fencingToken());
    assertThat(t3.sessionId()).isEqualTo(nextSession);
    assertThat(t1.state()).isEqualTo(HoldState.LOST); // never continued
    assertThat(a.kinds(t1)).first().isEqualTo("Elected");
    assertThat(a.kinds(t1)).last().isEqualTo("Lost");

    // Alone in the election: a resign is followed at once by a new term.
    t3.resign();
    await()
        .atMost(WAIT)
        .until(() -> a.election.currentLeadership().filter(l -> l != t3).isPresent());
    Leadership t4 = a.leadership();
    assertThat(t4.fencingToken()).isGreaterThan(t3.fencingToken());
    await().atMost(WAIT).until(() -> a.kinds(t4).size() == 1);
    assertThat(a.kinds(t3)).containsExactly("Elected", "Resigned");
    a.election.close();
  }

  @Test
  void briefCutOff_makesTheLeaderUncertain_thenReconfirmsTheSameTerm_andALateListenerSeesIt(
      TestClients clients) throws Exception {
    ElectionParticipant p = ElectionParticipant.proxied(clients, "solo");
    p.election.start();
    await().atMost(WAIT).until(p.election::isLeader);
    Leadership term = p.leadership();
    List<LeadershipEvent> late = new CopyOnWriteArrayList<>();
    p.election.addListener(late::add);
    await().atMost(WAIT).until(() -> late.size() == 1);
    assertThat(late.get(0)).isEqualTo(new LeadershipEvent.Elected(term));

    p.proxy.orElseThrow().cutOff();
    await().atMost(WAIT).until(() -> term.state() == HoldState.UNCERTAIN);
    assertThat(p.election.isLeader()).isFalse();
    assertThat(p.election.currentLeadership()).containsSame(term);
    p.proxy.orElseThrow().heal();

    await().atMost(WAIT).until(() -> term.state() == HoldState.HELD && late.size() == 3);
    assertThat(p.election.isLeader()).isTrue();
    assertThat(p.leadership()).isSameAs(term);
    assertThat(late)
        .containsExactly(
            new LeadershipEvent.Elected(term),
            new LeadershipEvent.Uncertain(term),
            new LeadershipEvent.Reconfirmed(term));
    await().atMost(WAIT).until(() -> p.kinds(term).size() == 3);
    assertThat(p.kinds(term)).containsExactly("Elected", "Uncertain", "Reconfirmed");
    p.election.close();
  }

  @Test
  void zooKeeperLeaderKilled_neverProducesTwoLeaders(ZooKeeperEnsemble zk, TestClients clients)
      throws Exception {
    List<ElectionParticipant> ps =
        List.of(
            ElectionParticipant.direct(clients, "p0"),
            ElectionParticipant.direct(clients, "p1"),
            ElectionParticipant.direct(clients, "p2"));
    FencedResource resource = new FencedResource("billing");
    ElectionParticipant before;
    Leadership t1;
    try (FencedWriters writers = new FencedWriters(ps, resource)) {
      ps.forEach(p -> p.election.start());
      before = awaitSoleLeaderOtherThan(ps, null);
      t1 = before.leadership();
      awaitContenders(clients.connect(), 3);
      awaitWriteWith(resource, t1);

      int killed = zk.killLeader();
      try {
        await()
            .atMost(WAIT)
            .until(() -> before.first(LeadershipEvent.Uncertain.class, t1).isPresent());
        ElectionParticipant after = awaitSoleLeaderOtherThan(ps, null);
        long accepted = resource.acceptedWrites();
        awaitWriteWith(resource, after.leadership());
        await().atMost(WAIT).until(() -> resource.acceptedWrites() > accepted + 20);
      } finally {
        zk.startServer(killed);
      }
      assertThat(writers.refused).isEmpty();
    }
    resource.assertNoStaleWrites();
    assertThat(resource.acceptedHistory()).extracting(FencedResource.Write::token).isSorted();
    // The leader was told to stop at once, then either kept its term or lost it for good.
    await().atMost(WAIT).until(() -> before.kinds(t1).size() >= 3);
    assertThat(before.kinds(t1)).startsWith("Elected", "Uncertain");
    assertThat(before.kinds(t1).get(2)).isIn("Reconfirmed", "Lost");
    ps.forEach(p -> p.election.close());
  }

  @Test
  void close_stopsContendingAndResigns_leavesNoNode_andTheClientLeavesNoThread(TestClients clients)
      throws Exception {
    Baton observer = clients.connect();
    Baton client = clients.connect();
    LeaderElection leader = LeaderElection.create(client, ELECTION, "leader");
    LeaderElection waiter = LeaderElection.create(client, ELECTION, "waiter");
    List<LeadershipEvent> told = new CopyOnWriteArrayList<>();
    leader.addListener(told::add);
    leader.start();
    await().atMost(WAIT).until(leader::isLeader);
    waiter.start();
    awaitContenders(observer, 2);
    assertThat(waiter.isLeader()).isFalse();

    waiter.close();
    awaitContenders(observer, 1);
    assertThat(leader.isLeader()).isTrue();
    Leadership term = leader.currentLeadership().orElseThrow();
    leader.close();
    leader.close(); // idempotent
    assertThat(term.state()).isEqualTo(HoldState.RELEASED);
    assertThat(leader.isLeader()).isFalse();
    assertThat(leader.currentLeadership()).isEmpty();
    awaitContenders(observer, 0);
    assertThat(leader.leader()).isEmpty();
    await().atMost(WAIT).until(() -> told.size() == 2);
    assertThat(told)
        .containsExactly(new LeadershipEvent.Elected(term), new LeadershipEvent.Resigned(term));
    assertThatThrownBy(leader::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");

    String prefix = client.name() + "-";
    client.close();
    await()
        .atMost(WAIT)
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith(prefix)));
    assertThat(DistributedLock.create(observer, ELECTION).inspect().holder()).isEmpty();
  }

  @Test
  void badInput_isRefusedClearly_andWritesNothing(Baton baton) throws Exception {
    assertThatThrownBy(() -> LeaderElection.create(baton, "elections/relative", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("elections/relative");
    assertThatThrownBy(() -> LeaderElection.create(baton, "/", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("root");
    assertThatThrownBy(() -> LeaderElection.create(baton, ELECTION, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank")
        .hasMessageContaining(ELECTION.toString());
    assertThatThrownBy(() -> LeaderElection.create(baton, ELECTION, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LeaderElection.create(baton, ELECTION, "x".repeat(1025)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1025 bytes");
    assertThatThrownBy(() -> LeaderElection.create(null, ELECTION, "p"))
        .isInstanceOf(NullPointerException.class);

    LeaderElection e = LeaderElection.create(baton, ELECTION, "p");
    assertThatThrownBy(() -> e.addListener(null)).isInstanceOf(NullPointerException.class);
    Session s = baton.awaitSession(WAIT);
    assertThat(s.exists(ELECTION, Optional.empty()).get()).isEmpty();
    assertThat(e.leader()).isEmpty();
    assertThat(e.isLeader()).isFalse();
    assertThat(e.currentLeadership()).isEmpty();

    e.start();
    assertThatThrownBy(e::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("started")
        .hasMessageContaining(ELECTION.toString());
    await().atMost(WAIT).until(e::isLeader);
    assertThat(e.leader()).contains("p");
    e.close();
  }
}
