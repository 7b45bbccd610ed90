package dev.baton.barrier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.HoldLostException;
import dev.baton.core.HoldState;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The double barrier against a real 3-node ensemble. The session timeout outlasts a leader election
 * on a loaded machine, so that killing the leader tests the barrier, not session expiry (which has
 * its own tests, expiring sessions on purpose).
 */
@WithZooKeeper(size = 3, sessionTimeoutMillis = 15000, connectionTimeoutMillis = 5000)
class DoubleBarrierTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ZkPath PATH = ZkPath.of("/barriers/step");

  /** Members present in any round, as the servers show them. */
  static int members(Session s) throws Exception {
    List<String> rounds = children(s, PATH);
    int n = 0;
    for (String r : rounds) {
      if (Rounds.round(r).isPresent()) {
        n += Rounds.members(children(s, PATH.child(r)));
      }
    }
    return n;
  }

  static List<String> children(Session s, ZkPath p) throws Exception {
    try {
      return s.getChildren(p, Optional.empty()).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return List.of(); // not created yet
    }
  }

  static Throwable failureOf(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(90, TimeUnit.SECONDS);
      throw new AssertionError("expected " + f + " to fail");
    } catch (ExecutionException e) {
      return Futures.unwrap(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("hung: " + f, e);
    }
  }

  @Test
  void fiveParticipants_fiftyRounds_nobodyPassesEnterOrLeaveEarly(TestClients clients)
      throws Exception {
    int n = 5;
    int rounds = 50;
    long[][] enterCall = new long[rounds][n];
    long[][] enterPass = new long[rounds][n];
    long[][] leaveCall = new long[rounds][n];
    long[][] leavePass = new long[rounds][n];
    long[][] roundId = new long[rounds][n];
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int p = 0; p < n; p++) {
        int me = p;
        DoubleBarrier barrier = DoubleBarrier.create(clients.connect(), PATH, n);
        runs.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    enterCall[r][me] = System.nanoTime();
                    BarrierMembership m = barrier.enter(WAIT);
                    enterPass[r][me] = System.nanoTime();
                    roundId[r][me] = m.round();
                    assertThat(m.state()).isEqualTo(HoldState.HELD);
                    leaveCall[r][me] = System.nanoTime();
                    m.leave(WAIT);
                    leavePass[r][me] = System.nanoTime();
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    long[] roundLatency = new long[rounds];
    long[] participantLatency = new long[rounds * n];
    for (int r = 0; r < rounds; r++) {
      int round = r;
      assertThat(Arrays.stream(roundId[r]).distinct().count())
          .as("everyone of round %d met in one round", r)
          .isEqualTo(1);
      assertThat(max(enterCall[r]))
          .as("round %d: last enter call before first enter pass", r)
          .isLessThanOrEqualTo(min(enterPass[r]));
      assertThat(max(leaveCall[r]))
          .as("round %d: last leave call before first leave pass", r)
          .isLessThanOrEqualTo(min(leavePass[r]));
      if (r > 0) {
        assertThat(roundId[r][0]).isGreaterThan(roundId[r - 1][0]);
      }
      roundLatency[r] = max(leavePass[r]) - max(enterCall[r]);
      for (int p = 0; p < n; p++) {
        participantLatency[round * n + p] = leavePass[r][p] - enterCall[r][p];
      }
    }
    Session s = clients.connect().awaitSession(WAIT);
    assertThat(members(s)).isZero();
    // Leavers delete the round before theirs: the path keeps the last rounds, not all fifty.
    await().atMost(WAIT).until(() -> children(s, PATH).size() <= 2);
    System.out.printf(
        "double barrier, %d participants, %d rounds on %s: round latency (last enter call to last"
            + " leave pass) p50=%.2f ms p99=%.2f ms; per participant enter+leave p50=%.2f ms"
            + " p99=%.2f ms%n",
        n,
        rounds,
        clients.ensemble().backend(),
        percentile(roundLatency, 50),
        percentile(roundLatency, 99),
        percentile(participantLatency, 50),
        percentile(participantLatency, 99));
  }

  static long max(long[] a) {
    return Arrays.stream(a).max().orElseThrow();
  }

  static long min(long[] a) {
    return Arrays.stream(a).min().orElseThrow();
  }

  static double percentile(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, i)] / 1e6;
  }

  @Test
  void connectionCutOffAndHealOfOneWaiter_releasesNobodyEarly(TestClients clients)
      throws Exception {
    TestClients.ProxiedClient flaky = clients.connectThroughNewProxy();
    Baton steady = clients.connect();
    Session observer = clients.connect().awaitSession(WAIT);
    long flakySession = flaky.client().awaitSession(WAIT).id();
    AtomicLong firstPass = new AtomicLong(Long.MAX_VALUE);
    CompletableFuture<BarrierMembership> a =
        DoubleBarrier.create(flaky.client(), PATH, 3).enterAsync(WAIT);
    CompletableFuture<BarrierMembership> b = DoubleBarrier.create(steady, PATH, 3).enterAsync(WAIT);
    a.thenRun(() -> firstPass.accumulateAndGet(System.nanoTime(), Math::min));
    b.thenRun(() -> firstPass.accumulateAndGet(System.nanoTime(), Math::min));
    await().atMost(WAIT).until(() -> members(observer) == 2);

    for (int i = 0; i < 3; i++) {
      flaky.proxy().cutOff();
      await()
          .atMost(WAIT)
          .until(() -> flaky.client().currentSession().map(x -> !x.isConnected()).orElse(true));
      flaky.proxy().heal();
      await()
          .atMost(WAIT)
          .until(() -> flaky.client().currentSession().map(Session::isConnected).orElse(false));
    }
    assertThat(a).as("released by a connection event").isNotDone();
    assertThat(b).isNotDone();

    long thirdCall = System.nanoTime();
    BarrierMembership c = DoubleBarrier.create(clients.connect(), PATH, 3).enter(WAIT);
    BarrierMembership ma = a.get(60, TimeUnit.SECONDS);
    BarrierMembership mb = b.get(60, TimeUnit.SECONDS);
    assertThat(firstPass.get())
        .as("nobody passed before the third arrived")
        .isGreaterThan(thirdCall);
    assertThat(ma.sessionId()).isEqualTo(flakySession);
    assertThat(List.of(ma.round(), mb.round())).containsOnly(c.round());
    assertThat(ma.state()).isEqualTo(HoldState.HELD);
    CompletableFuture<Void> la = ma.leaveAsync(WAIT);
    CompletableFuture<Void> lb = mb.leaveAsync(WAIT);
    c.leave(WAIT);
    la.get(60, TimeUnit.SECONDS);
    lb.get(60, TimeUnit.SECONDS);
    assertThat(members(observer)).isZero();
  }

  @Test
  void sessionExpiresWhileOthersWaitInEnter_itIsToldLost_othersTimeOutAndLeaveNothing(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Baton doomed = clients.connect();
    Session observer = clients.connect().awaitSession(WAIT);
    CompletableFuture<BarrierMembership> survivor =
        DoubleBarrier.create(clients.connect(), PATH, 3).enterAsync(Duration.ofSeconds(8));
    CompletableFuture<BarrierMembership> lost =
        DoubleBarrier.create(doomed, PATH, 3).enterAsync(WAIT);
    await().atMost(WAIT).until(() -> members(observer) == 2);

    zk.expireSession(doomed);

    assertThat(failureOf(lost)).isInstanceOf(HoldLostException.class);
    await().atMost(WAIT).until(() -> members(observer) == 1);
    // The survivor does not pass with a dead member, and does not hang: it times out at its
    // deadline and removes its own node.
    assertThat(failureOf(survivor)).isInstanceOf(BatonTimeoutException.class);
    await().atMost(WAIT).until(() -> members(observer) == 0);
  }

  @Test
  void sessionExpiresWhileOthersWaitInEnter_aReplacementCompletesTheRound(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Baton doomed = clients.connect();
    Session observer = clients.connect().awaitSession(WAIT);
    CompletableFuture<BarrierMembership> first =
        DoubleBarrier.create(clients.connect(), PATH, 3).enterAsync(WAIT);
    CompletableFuture<BarrierMembership> lost =
        DoubleBarrier.create(doomed, PATH, 3).enterAsync(WAIT);
    await().atMost(WAIT).until(() -> members(observer) == 2);
    zk.expireSession(doomed);
    assertThat(failureOf(lost)).isInstanceOf(HoldLostException.class);
    await().atMost(WAIT).until(() -> members(observer) == 1);

    CompletableFuture<BarrierMembership> second =
        DoubleBarrier.create(clients.connect(), PATH, 3).enterAsync(WAIT);
    await().atMost(WAIT).until(() -> members(observer) == 2);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !first.isDone());
    BarrierMembership third = DoubleBarrier.create(clients.connect(), PATH, 3).enter(WAIT);
    List<BarrierMembership> all =
        List.of(first.get(60, TimeUnit.SECONDS), second.get(60, TimeUnit.SECONDS), third);
    assertThat(all).extracting(BarrierMembership::round).containsOnly(third.round());
    for (BarrierMembership m : all) {
      m.leaveAsync(WAIT);
    }
    await().atMost(WAIT).until(() -> members(observer) == 0);
  }

  @Test
  void sessionExpiresAfterEnter_itIsLostAndCannotLeave_othersLeaveWithoutIt(
      ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    Baton doomed = clients.connect();
    List<CompletableFuture<BarrierMembership>> entering = new ArrayList<>();
    entering.add(DoubleBarrier.create(doomed, PATH, 3).enterAsync(WAIT));
    entering.add(DoubleBarrier.create(clients.connect(), PATH, 3).enterAsync(WAIT));
    entering.add(DoubleBarrier.create(clients.connect(), PATH, 3).enterAsync(WAIT));
    List<BarrierMembership> in = new ArrayList<>();
    for (CompletableFuture<BarrierMembership> f : entering) {
      in.add(f.get(60, TimeUnit.SECONDS));
    }
    BarrierMembership lost = in.get(0);
    CompletableFuture<Void> leaving = in.get(1).leaveAsync(WAIT);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !leaving.isDone());

    zk.expireSession(doomed);

    await().atMost(WAIT).until(() -> lost.state() == HoldState.LOST);
    assertThat(lost.lost().toCompletableFuture().get(30, TimeUnit.SECONDS)).isNotNull();
    assertThatThrownBy(() -> lost.leave(WAIT)).isInstanceOf(HoldLostException.class);
    in.get(2).leave(WAIT);
    leaving.get(60, TimeUnit.SECONDS);
  }

  @Test
  void leaderKilledMidRound_theRoundCompletes(ZooKeeperEnsemble zk, TestClients clients)
      throws Exception {
    Session observer = clients.connect().awaitSession(WAIT);
    List<CompletableFuture<BarrierMembership>> entering = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      entering.add(DoubleBarrier.create(clients.connect(), PATH, 5).enterAsync(WAIT));
    }
    await().atMost(WAIT).until(() -> members(observer) == 3);
    int leader = zk.killLeader();
    try {
      for (int i = 0; i < 2; i++) {
        entering.add(DoubleBarrier.create(clients.connect(), PATH, 5).enterAsync(WAIT));
      }
      List<BarrierMembership> in = new ArrayList<>();
      for (CompletableFuture<BarrierMembership> f : entering) {
        in.add(f.get(2, TimeUnit.MINUTES));
      }
      assertThat(in).extracting(BarrierMembership::round).containsOnly(in.get(0).round());
      List<CompletableFuture<Void>> leaving = new ArrayList<>();
      for (BarrierMembership m : in) {
        leaving.add(m.leaveAsync(WAIT));
      }
      CompletableFuture.allOf(leaving.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    } finally {
      zk.startServer(leader);
    }
    assertThat(members(observer)).isZero();
  }

  @Test
  void enterTimesOut_removesItsNode_andIsMetered(ZooKeeperEnsemble zk, TestClients clients)
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Baton metered =
        Baton.builder(zk.connectString())
            .namespace(clients.chroot().toString())
            .sessionTimeout(Duration.ofSeconds(15))
            .meterRegistry(registry)
            .build()) {
      DoubleBarrier barrier = DoubleBarrier.create(metered, PATH, 2);
      assertThatThrownBy(() -> barrier.enter(Duration.ofMillis(300)))
          .isInstanceOf(BatonTimeoutException.class)
          .hasMessageContaining(PATH.toString());
      Session observer = clients.connect().awaitSession(WAIT);
      await().atMost(WAIT).until(() -> members(observer) == 0);

      CompletableFuture<BarrierMembership> other =
          DoubleBarrier.create(clients.connect(), PATH, 2).enterAsync(WAIT);
      BarrierMembership mine = barrier.enter(WAIT);
      BarrierMembership theirs = other.get(60, TimeUnit.SECONDS);
      CompletableFuture<Void> theirLeave = theirs.leaveAsync(WAIT);
      mine.leave(WAIT);
      theirLeave.get(60, TimeUnit.SECONDS);
      assertThatThrownBy(() -> mine.leave(WAIT))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already left");
      mine.close(); // idempotent after leave
      assertThat(mine.state()).isEqualTo(HoldState.RELEASED);

      assertThat(timer(registry, "enter", "timeout")).isEqualTo(1);
      assertThat(timer(registry, "enter", "passed")).isEqualTo(1);
      assertThat(timer(registry, "leave", "passed")).isEqualTo(1);
    }
  }

  static long timer(SimpleMeterRegistry registry, String kind, String outcome) {
    var t =
        registry
            .find("baton.barrier.wait")
            .tags("path", PATH.toString(), "kind", kind, "outcome", outcome)
            .timer();
    return t == null ? 0 : t.count();
  }

  @Test
  void badInput_isRejectedBeforeAnythingIsWritten(Baton baton) throws Exception {
    assertThatThrownBy(() -> DoubleBarrier.create(baton, PATH, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(PATH.toString())
        .hasMessageContaining("0");
    assertThatThrownBy(() -> DoubleBarrier.create(baton, "barriers/relative", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("barriers/relative");
    assertThatThrownBy(() -> DoubleBarrier.create(baton, "/", 2))
        .isInstanceOf(IllegalArgumentException.class);
    DoubleBarrier barrier = DoubleBarrier.create(baton, PATH, 2);
    assertThatThrownBy(() -> barrier.enter(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> barrier.enterAsync(null)).isInstanceOf(IllegalArgumentException.class);
    Session s = baton.awaitSession(WAIT);
    assertThat(s.exists(PATH, Optional.empty()).get(30, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void oneParticipant_passesAlone_andLeaveTimeoutRejectsNegative(Baton baton) throws Exception {
    BarrierMembership m = DoubleBarrier.create(baton, PATH, 1).enter(WAIT);
    assertThat(m.round()).isZero();
    assertThatThrownBy(() -> m.leave(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class);
    m.leave(WAIT);
    BarrierMembership next = DoubleBarrier.create(baton, PATH, 1).enter(WAIT);
    assertThat(next.round()).isEqualTo(1);
    next.close();
  }

  @Test
  void cancelledOrInterruptedEnter_removesItsNode(Baton baton, TestClients clients)
      throws Exception {
    Session observer = clients.connect().awaitSession(WAIT);
    CompletableFuture<BarrierMembership> entering =
        DoubleBarrier.create(baton, PATH, 2).enterAsync(WAIT);
    await().atMost(WAIT).until(() -> members(observer) == 1);
    entering.cancel(false);
    await().atMost(WAIT).until(() -> members(observer) == 0);

    DoubleBarrier barrier = DoubleBarrier.create(baton, PATH, 2);
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                barrier.enter(WAIT);
                outcome.complete(null);
              } catch (Throwable e) {
                outcome.complete(e);
              }
            });
    t.start();
    await().atMost(WAIT).until(() -> members(observer) == 1);
    t.interrupt();
    assertThat(outcome.get(60, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    await().atMost(WAIT).until(() -> members(observer) == 0);
  }

  @Test
  void slowMemberCutOffWhileTheRoundFills_passesOnTheCloseMark_afterTheFastOneHasLeft(
      TestClients clients) throws Exception {
    TestClients.ProxiedClient slow = clients.connectThroughNewProxy();
    Session observer = clients.connect().awaitSession(WAIT);
    CompletableFuture<BarrierMembership> slowEnter =
        DoubleBarrier.create(slow.client(), PATH, 2).enterAsync(WAIT);
    await().atMost(WAIT).until(() -> members(observer) == 1);
    slow.proxy().cutOff();
    try {
      await()
          .atMost(WAIT)
          .until(() -> slow.client().currentSession().map(x -> !x.isConnected()).orElse(true));
      // The slow member's node is still on the servers (its session lives): the round fills and
      // closes, and the fast member passes and leaves before the slow one can read anything.
      BarrierMembership fast = DoubleBarrier.create(clients.connect(), PATH, 2).enter(WAIT);
      CompletableFuture<Void> fastLeave = fast.leaveAsync(WAIT);
      await().atMost(WAIT).until(() -> members(observer) == 1);
      assertThat(slowEnter).isNotDone();
      slow.proxy().heal();

      // Counting members now would show 1 of 2 forever; the durable close mark lets it through.
      BarrierMembership late = slowEnter.get(60, TimeUnit.SECONDS);
      assertThat(late.round()).isEqualTo(fast.round());
      assertThat(fastLeave).as("the fast one waits for the slow one to leave").isNotDone();
      late.leave(WAIT);
      fastLeave.get(60, TimeUnit.SECONDS);
    } finally {
      slow.proxy().heal();
    }
  }
}
