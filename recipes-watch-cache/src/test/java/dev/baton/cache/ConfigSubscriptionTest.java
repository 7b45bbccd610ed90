package dev.baton.cache;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.BatonTimeoutException;
import dev.baton.core.Codec;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;

/** Typed config subscriptions against a real server. */
@WithZooKeeper(size = 1, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class ConfigSubscriptionTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final ZkPath CFG = ZkPath.of("/config/app");

  /** A JSON config. */
  public record Settings(int threads, String mode) {}

  static void write(Session w, String value) throws Exception {
    byte[] data = value.getBytes(UTF_8);
    if (w.exists(CFG, Optional.empty()).get(60, TimeUnit.SECONDS).isEmpty()) {
      w.ensurePath(CFG.parent().orElseThrow(), CreateMode.PERSISTENT).get(60, TimeUnit.SECONDS);
      w.create(CFG, data, CreateMode.PERSISTENT).get(60, TimeUnit.SECONDS);
    } else {
      w.setData(CFG, data, -1).get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void tenSubscribers_500RapidUpdates_allEndOnTheFinalValue_withIncreasingVersions(
      TestClients clients) throws Exception {
    Session w = clients.connect().awaitSession(WAIT);
    write(w, "0");
    List<ConfigSubscription<String>> subs = new ArrayList<>();
    List<List<Integer>> versions = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ConfigSubscription<String> sub =
          ConfigSubscription.create(clients.connect(), CFG, Codec.utf8());
      List<Integer> seen = new CopyOnWriteArrayList<>();
      sub.onChange((prev, cur) -> cur.ifPresent(v -> seen.add(v.version())));
      subs.add(sub);
      versions.add(seen);
    }
    for (ConfigSubscription<String> sub : subs) {
      assertThat(sub.awaitValue(WAIT)).isNotNull();
    }
    for (int i = 1; i <= 500; i++) {
      w.setData(CFG, Integer.toString(i).getBytes(UTF_8), -1); // pipelined, not awaited
    }
    w.setData(CFG, "final".getBytes(UTF_8), -1).get(60, TimeUnit.SECONDS);

    await()
        .atMost(WAIT)
        .until(() -> subs.stream().allMatch(s -> s.current().equals(Optional.of("final"))));
    for (int i = 0; i < subs.size(); i++) {
      List<Integer> seen = versions.get(i);
      assertThat(seen).isSorted().doesNotHaveDuplicates();
      assertThat(seen.get(seen.size() - 1)).isEqualTo(501);
      assertThat(subs.get(i).state()).isEqualTo(ConfigSubscription.State.PRESENT);
    }
    subs.forEach(ConfigSubscription::close);
  }

  @Test
  void badConfig_betweenTwoGoodOnes_isReported_andTheLastGoodValueStays(TestClients clients)
      throws Exception {
    Session w = clients.connect().awaitSession(WAIT);
    ConfigOptions<Settings> options =
        ConfigOptions.<Settings>defaults()
            .withValidator(
                s -> s.threads() > 0 ? Optional.empty() : Optional.of("threads must be positive"));
    List<ConfigSubscription<Settings>> subs = new ArrayList<>();
    List<List<Settings>> changes = new ArrayList<>();
    List<List<ConfigRejection>> rejections = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ConfigSubscription<Settings> sub =
          ConfigSubscription.create(clients.connect(), CFG, Codec.json(Settings.class), options);
      List<Settings> seen = new CopyOnWriteArrayList<>();
      List<ConfigRejection> rejected = new CopyOnWriteArrayList<>();
      sub.onChange((prev, cur) -> cur.ifPresent(v -> seen.add(v.value())));
      sub.onRejected(rejected::add);
      subs.add(sub);
      changes.add(seen);
      rejections.add(rejected);
    }
    write(w, "{\"threads\":2,\"mode\":\"a\"}");
    for (ConfigSubscription<Settings> sub : subs) {
      assertThat(sub.awaitValue(WAIT)).isEqualTo(new Settings(2, "a"));
    }

    write(w, "{\"threads\":"); // does not decode
    await().atMost(WAIT).until(() -> rejections.stream().allMatch(r -> r.size() == 1));
    write(w, "{\"threads\":-1,\"mode\":\"b\"}"); // decodes, fails validation
    await().atMost(WAIT).until(() -> rejections.stream().allMatch(r -> r.size() == 2));
    for (ConfigSubscription<Settings> sub : subs) {
      assertThat(sub.current()).contains(new Settings(2, "a"));
      assertThat(sub.rejectedCount()).isEqualTo(2);
    }
    assertThat(rejections.get(0).get(1).error().getMessage()).contains("threads must be positive");

    write(w, "{\"threads\":8,\"mode\":\"c\"}");
    await()
        .atMost(WAIT)
        .until(
            () ->
                subs.stream().allMatch(s -> s.current().equals(Optional.of(new Settings(8, "c")))));
    for (List<Settings> seen : changes) {
      assertThat(seen).containsExactly(new Settings(2, "a"), new Settings(8, "c"));
    }
    subs.forEach(ConfigSubscription::close);
  }

  @Test
  void missingNode_isAbsent_untilCreated_andDeletionIsAnnounced(Baton baton, TestClients clients)
      throws Exception {
    Session w = clients.connect().awaitSession(WAIT);
    try (ConfigSubscription<String> sub = ConfigSubscription.create(baton, CFG, Codec.utf8())) {
      await().atMost(WAIT).until(() -> sub.state() == ConfigSubscription.State.ABSENT);
      assertThat(sub.current()).isEmpty();
      assertThat(sub.firstValue()).isNotDone();
      assertThatThrownBy(() -> sub.awaitValue(Duration.ofMillis(200)))
          .isInstanceOf(BatonTimeoutException.class);
      List<String> changes = new CopyOnWriteArrayList<>();
      sub.onChange(
          (prev, cur) ->
              changes.add(prev.map(ConfigValue::value) + "->" + cur.map(ConfigValue::value)));

      write(w, "hello");
      assertThat(sub.awaitValue(WAIT)).isEqualTo("hello");
      assertThat(sub.firstValue().get(60, TimeUnit.SECONDS)).isEqualTo("hello");
      w.delete(CFG, -1).get(60, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> sub.state() == ConfigSubscription.State.ABSENT);
      assertThat(sub.current()).isEmpty();
      await().atMost(WAIT).until(() -> changes.size() == 2);
      assertThat(changes)
          .containsExactly("Optional.empty->Optional[hello]", "Optional[hello]->Optional.empty");
    }
  }

  @Test
  void invalidFirstWrite_leavesTheSubscriptionInvalid_untilAGoodOne(
      Baton baton, TestClients clients) throws Exception {
    Session w = clients.connect().awaitSession(WAIT);
    write(w, "not=valid\\u12");
    try (ConfigSubscription<java.util.Properties> sub =
        ConfigSubscription.create(baton, CFG, Codec.properties())) {
      await().atMost(WAIT).until(() -> sub.state() == ConfigSubscription.State.INVALID);
      assertThat(sub.current()).isEmpty();
      write(w, "a=1\n");
      assertThat(sub.awaitValue(WAIT).getProperty("a")).isEqualTo("1");
      assertThat(sub.state()).isEqualTo(ConfigSubscription.State.PRESENT);
    }
  }

  /**
   * Not a timing assertion: prints the propagation latency from a write to 10 subscribers (same
   * JVM, so one clock), for the README. Each write waits until all 10 have it.
   */
  @Test
  void propagation_toTenSubscribers_reachesAll_andPrintsLatency(TestClients clients)
      throws Exception {
    Session w = clients.connect().awaitSession(WAIT);
    write(w, "warmup");
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<ConfigSubscription<String>> subs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ConfigSubscription<String> sub =
          ConfigSubscription.create(clients.connect(), CFG, Codec.utf8());
      sub.onChange(
          (prev, cur) ->
              cur.filter(v -> v.value().startsWith("t="))
                  .ifPresent(
                      v ->
                          latencies.add(
                              System.nanoTime() - Long.parseLong(v.value().substring(2)))));
      sub.awaitValue(WAIT);
      subs.add(sub);
    }
    int writes = 200;
    for (int i = 0; i < writes; i++) {
      String value = "t=" + System.nanoTime();
      w.setData(CFG, value.getBytes(UTF_8), -1).get(60, TimeUnit.SECONDS);
      await()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(2))
          .atMost(WAIT)
          .until(() -> subs.stream().allMatch(s -> s.current().equals(Optional.of(value))));
    }
    await().atMost(WAIT).until(() -> latencies.size() == writes * 10);
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf(
        "config propagation to 10 subscribers, %d writes: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        writes,
        sorted.get(sorted.size() / 2) / 1e6,
        sorted.get((int) (sorted.size() * 0.99)) / 1e6,
        sorted.get(sorted.size() - 1) / 1e6);
    subs.forEach(ConfigSubscription::close);
  }
}
