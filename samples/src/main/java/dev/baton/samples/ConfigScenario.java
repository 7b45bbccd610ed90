package dev.baton.samples;

import dev.baton.cache.ConfigOptions;
import dev.baton.cache.ConfigSubscription;
import dev.baton.core.Codec;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;

/**
 * Live config: three services subscribe to a typed JSON value. An operator pushes a new value and
 * every subscriber shows it; a bad push (broken JSON, then a value the validator refuses) is
 * rejected and the last good value stays in force; the next good push is taken.
 *
 * <p>Run alone: {@code java ... dev.baton.samples.ConfigScenario [--connect host:port,...]}.
 */
public final class ConfigScenario {

  /** The typed config value. */
  public record Settings(String greeting, int maxBatch) {}

  private ConfigScenario() {}

  public static void main(String[] args) throws Exception {
    try (SampleRun run = SampleRun.open("Live config with bad pushes refused", args, System.out)) {
      run(run);
      System.exit(run.report() == 0 ? 0 : 1);
    }
  }

  static void run(SampleRun run) throws Exception {
    ZkPath path = ZkPath.of("/config/app-" + System.nanoTime());
    ConfigOptions<Settings> valid =
        ConfigOptions.<Settings>defaults()
            .withValidator(
                s ->
                    s.maxBatch() < 1
                        ? Optional.of("maxBatch must be at least 1, was " + s.maxBatch())
                        : Optional.empty());
    List<ConfigSubscription<Settings>> services = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      String name = "service-" + i;
      ConfigSubscription<Settings> sub =
          ConfigSubscription.create(run.client(), path, Codec.json(Settings.class), valid);
      sub.onChange(
          (before, now) ->
              run.say(
                  "    [%s] config is now %s",
                  name, now.map(v -> v.value().toString()).orElse("absent")));
      sub.onRejected(r -> run.say("    [%s] rejected a push: %s", name, r.error().getMessage()));
      services.add(sub);
    }
    Session operator = run.client().awaitSession(SampleRun.WAIT);
    operator.ensurePath(path.parent().orElseThrow(), CreateMode.PERSISTENT).get();

    run.say("The operator publishes the first config ...");
    operator.create(path, json("hello", 10), CreateMode.PERSISTENT).get();
    run.check("every service has it", allSee(run, services, new Settings("hello", 10)));

    run.say("The operator pushes a change ...");
    operator.setData(path, json("bonjour", 20), -1).get();
    run.check(
        "every service shows the new value", allSee(run, services, new Settings("bonjour", 20)));

    run.say("Someone pushes broken JSON, then a value the validator refuses ...");
    operator.setData(path, "{\"greeting\": \"oops\"".getBytes(StandardCharsets.UTF_8), -1).get();
    operator.setData(path, json("zero", 0), -1).get();
    // A subscriber may read the second push before it has read the first (ZooKeeper watches
    // coalesce), so each reports at least the latest bad value, not necessarily both.
    run.check(
        "every service reports the bad push",
        run.waitFor(() -> services.stream().allMatch(s -> s.rejectedCount() >= 1)));
    run.check(
        "and keeps the last good value",
        services.stream()
            .allMatch(s -> s.current().equals(Optional.of(new Settings("bonjour", 20)))));

    run.say("The operator fixes it ...");
    operator.setData(path, json("hallo", 30), -1).get();
    run.check(
        "every service takes the fixed value", allSee(run, services, new Settings("hallo", 30)));
    services.forEach(ConfigSubscription::close);
    run.count(
        "config pushes rejected",
        services.stream().mapToLong(ConfigSubscription::rejectedCount).sum());
  }

  private static boolean allSee(
      SampleRun run, List<ConfigSubscription<Settings>> services, Settings expected)
      throws InterruptedException {
    return run.waitFor(
        () -> services.stream().allMatch(s -> s.current().equals(Optional.of(expected))));
  }

  private static byte[] json(String greeting, int maxBatch) {
    return Codec.json(Settings.class).encode(new Settings(greeting, maxBatch));
  }
}
