package dev.baton.soak;

import dev.baton.cache.ConfigSubscription;
import dev.baton.core.Baton;
import dev.baton.core.Codec;
import dev.baton.testkit.SoakContext;
import dev.baton.testkit.SoakResult;
import dev.baton.testkit.SoakWorkload;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A config writer and subscribers, each on its own client: the writer sets {@code /config/soak} to
 * {@code v<n>} every 100 ms; each subscriber holds a {@link ConfigSubscription}.
 *
 * <p>Check, once the writer stopped: every subscriber converges to the value the servers hold
 * ({@code subscribersDiverged=0}), waiting up to 30 s.
 *
 * <p>Thread-safe: one writer thread; subscriptions are thread-safe.
 */
final class ConfigWorkload implements SoakWorkload {

  private static final String PATH = "/config/soak";
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  private final int subscribers;
  private final List<ConfigSubscription<String>> subscriptions = new CopyOnWriteArrayList<>();
  private final Actors actors = new Actors("soak-config");
  private final Counters c =
      new Counters(
          "config", "subscribers", "writes", "writeErrors", "changesSeen", "subscribersDiverged");
  private SoakContext context;

  ConfigWorkload(int subscribers) {
    this.subscribers = subscribers;
  }

  @Override
  public String name() {
    return "config";
  }

  @Override
  public void start(SoakContext context) throws Exception {
    this.context = context;
    c.set("subscribers", subscribers);
    context
        .admin()
        .curator()
        .create()
        .orSetData()
        .creatingParentsIfNeeded()
        .forPath(PATH, bytes("v0"));
    Baton writer = context.client("config-writer");
    for (int i = 0; i < subscribers; i++) {
      ConfigSubscription<String> s =
          ConfigSubscription.create(context.client("subscriber-" + i), PATH, Codec.utf8());
      s.onChange((previous, current) -> c.inc("changesSeen"));
      subscriptions.add(s);
    }
    actors.start("writer", () -> write(writer));
  }

  private void write(Baton writer) throws InterruptedException {
    for (long n = 1; actors.running(); n++) {
      try {
        writer.curator().setData().forPath(PATH, bytes("v" + n));
        c.inc("writes");
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        c.inc("writeErrors");
      }
      Actors.pace(100);
    }
  }

  @Override
  public void stop() throws Exception {
    actors.stop(Duration.ofSeconds(20));
    String expected =
        new String(context.admin().curator().getData().forPath(PATH), StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    List<String> diverged = diverged(expected);
    while (!diverged.isEmpty() && System.nanoTime() < deadline) {
      Actors.pace(100);
      diverged = diverged(expected);
    }
    subscriptions.forEach(ConfigSubscription::close);
    c.set("subscribersDiverged", diverged.size());
    c.expect("subscribersDiverged", 0, "server holds " + expected + "; " + diverged);
    actors.crashes().forEach(t -> c.fail("writer crashed: " + t));
  }

  private List<String> diverged(String expected) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < subscriptions.size(); i++) {
      Optional<String> seen = subscriptions.get(i).current();
      if (!Objects.equals(seen.orElse(null), expected)) {
        out.add("subscriber-" + i + " holds " + seen);
      }
    }
    return out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public SoakResult result() {
    return c.result();
  }
}
