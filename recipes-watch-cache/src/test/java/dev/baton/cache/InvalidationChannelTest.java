package dev.baton.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.ClientProxy;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The invalidation channel against a real server. */
@WithZooKeeper(size = 1, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class InvalidationChannelTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ZkPath CHANNEL = ZkPath.of("/inval/users");

  static List<String> keys(List<Invalidation> signals) {
    return signals.stream()
        .filter(s -> s instanceof Invalidation.Key)
        .map(s -> ((Invalidation.Key) s).key())
        .toList();
  }

  @Test
  void everyPublish_reachesEveryConnectedSubscriber_exactlyOnce_inOrder(TestClients clients)
      throws Exception {
    InvalidationChannel publisher =
        InvalidationChannel.create(clients.connect(), CHANNEL, InvalidationOptions.defaults());
    List<List<Invalidation>> received = new ArrayList<>();
    List<InvalidationSubscription> subs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<Invalidation> got = new CopyOnWriteArrayList<>();
      InvalidationChannel channel =
          InvalidationChannel.create(clients.connect(), CHANNEL, InvalidationOptions.defaults());
      InvalidationSubscription sub = channel.subscribe(got::add);
      sub.awaitReady(WAIT);
      subs.add(sub);
      received.add(got);
    }
    List<String> published = new ArrayList<>();
    List<CompletableFuture<Long>> pending = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      published.add("user-" + i);
      pending.add(publisher.publishAsync("user-" + i));
    }
    List<Long> sequences = new ArrayList<>();
    for (CompletableFuture<Long> f : pending) {
      sequences.add(f.get(60, TimeUnit.SECONDS));
    }
    await().atMost(WAIT).until(() -> received.stream().allMatch(r -> r.size() >= 300));
    for (List<Invalidation> got : received) {
      assertThat(got).allMatch(s -> s instanceof Invalidation.Key);
      List<Long> seqs = got.stream().map(s -> ((Invalidation.Key) s).sequence()).toList();
      assertThat(seqs).containsExactlyElementsOf(sequences.stream().sorted().toList());
    }
    // Pipelined publishes from one session are applied in order: keys arrive in publish order.
    assertThat(keys(received.get(0))).containsExactlyElementsOf(published);
    subs.forEach(InvalidationSubscription::close);
  }

  @Test
  void afterACutOff_theSubscriberIsToldToDropEverything_thenGetsKeysAgain(
      Baton baton, ClientProxy proxy, TestClients clients) throws Exception {
    InvalidationChannel publisher =
        InvalidationChannel.create(clients.connect(), CHANNEL, InvalidationOptions.defaults());
    List<Invalidation> got = new CopyOnWriteArrayList<>();
    try (InvalidationSubscription sub =
        InvalidationChannel.create(baton, CHANNEL, InvalidationOptions.defaults())
            .subscribe(got::add)) {
      sub.awaitReady(WAIT);
      publisher.publish("k1", WAIT);
      await().atMost(WAIT).until(() -> keys(got).contains("k1"));

      proxy.cutOff();
      publisher.publish("k2", WAIT);
      publisher.publish("k3", WAIT);
      proxy.heal();

      await()
          .atMost(WAIT)
          .until(() -> got.stream().anyMatch(s -> s instanceof Invalidation.DropAll));
      publisher.publish("k4", WAIT);
      await().atMost(WAIT).until(() -> keys(got).contains("k4"));
      assertThat(keys(got)).containsExactly("k1", "k4"); // k2, k3 are covered by the DropAll
      int drop = indexOfFirstDropAll(got);
      assertThat(got.subList(0, drop)).containsExactly(new Invalidation.Key("k1", 0));
      assertThat(got.get(got.size() - 1)).isInstanceOf(Invalidation.Key.class);
    }
  }

  @Test
  void afterSessionExpiry_theSubscriberIsToldToDropEverything(
      Baton baton, ZooKeeperEnsemble zk, TestClients clients) throws Exception {
    InvalidationChannel publisher =
        InvalidationChannel.create(clients.connect(), CHANNEL, InvalidationOptions.defaults());
    List<Invalidation> got = new CopyOnWriteArrayList<>();
    try (InvalidationSubscription sub =
        InvalidationChannel.create(baton, CHANNEL, InvalidationOptions.defaults())
            .subscribe(got::add)) {
      sub.awaitReady(WAIT);
      zk.expireSession(baton);
      publisher.publish("during-expiry", WAIT);
      await()
          .atMost(WAIT)
          .until(() -> got.contains(new Invalidation.DropAll(CacheEvent.ResyncReason.NEW_SESSION)));
      publisher.publish("after", WAIT);
      await().atMost(WAIT).until(() -> keys(got).contains("after"));
      // One resync, told once: no second DropAll for Curator's RECONNECTED of the new session.
      assertThat(got)
          .containsOnlyOnce(new Invalidation.DropAll(CacheEvent.ResyncReason.NEW_SESSION));
      assertThat(got).hasSize(2);
      assertThat(keys(got)).doesNotContain("during-expiry").endsWith("after");
    }
  }

  static int indexOfFirstDropAll(List<Invalidation> got) {
    for (int i = 0; i < got.size(); i++) {
      if (got.get(i) instanceof Invalidation.DropAll) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void channel_trimsOldEntries(TestClients clients) throws Exception {
    Baton b = clients.connect();
    InvalidationChannel channel =
        InvalidationChannel.create(
            b, CHANNEL, InvalidationOptions.defaults().withRetainedEntries(10));
    for (int i = 0; i < 40; i++) {
      channel.publish("k" + i, WAIT);
    }
    Session s = b.awaitSession(WAIT);
    await()
        .atMost(WAIT)
        .until(
            () -> s.getChildren(CHANNEL, Optional.empty()).get(60, TimeUnit.SECONDS).size() == 10);
  }

  @Test
  void badKeys_andOptions_areRejectedBeforeAnythingIsWritten(Baton baton) throws Exception {
    InvalidationChannel channel =
        InvalidationChannel.create(baton, CHANNEL, InvalidationOptions.defaults());
    assertThatThrownBy(() -> channel.publishAsync("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> channel.publishAsync("x".repeat(40_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/inval/users");
    assertThatThrownBy(() -> new InvalidationOptions(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(baton.awaitSession(WAIT).exists(CHANNEL, Optional.empty()).get(60, TimeUnit.SECONDS))
        .isEmpty();
  }
}
