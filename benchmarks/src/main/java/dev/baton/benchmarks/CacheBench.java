package dev.baton.benchmarks;

import dev.baton.cache.ConfigSubscription;
import dev.baton.core.Baton;
import dev.baton.core.Codec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Item 8: cache propagation. One writer (a plain ZooKeeper client, the same for both systems) sets
 * one node, one value at a time; {@value #SUBSCRIBERS} subscribers, each its own client, watch it.
 * The latency is from the writer's {@code setData} returning to a subscriber's listener being
 * called with that value; the next write starts once all subscribers saw the previous one. A value
 * a subscriber never saw within 10 s is a correctness counter. Watches held on the servers are
 * counted with the four-letter word {@code wchc} sent to every server over 127.0.0.1: the entries
 * listed under the subscribers' session ids, per subscriber. Baton: {@code ConfigSubscription} (a
 * {@code NodeCache}); Curator: {@code CuratorCache}. Stateless.
 */
final class CacheBench implements Scenario {

  static final int SUBSCRIBERS = 10;
  private static final long SEEN_WAIT_SECONDS = 10;

  @Override
  public String name() {
    return "8 cache propagation";
  }

  @Override
  public void round(Sys system, Env env, Tally tally, boolean warmUp) throws Exception {
    String path = "/bench/cache/" + system.label() + "-" + System.nanoTime();
    int writes = env.config().quick() ? 10 : 200;
    writes = warmUp ? Math.max(3, writes / 4) : writes;
    ZooKeeper writer = env.zooKeeper();
    env.ensurePath(path.substring(0, path.lastIndexOf('/')));
    writer.create(path, value(-1), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    AtomicLongArray seenAt = new AtomicLongArray(writes * SUBSCRIBERS);
    CountDownLatch[] seen = new CountDownLatch[writes];
    for (int i = 0; i < writes; i++) {
      seen[i] = new CountDownLatch(SUBSCRIBERS);
    }
    Sink sink =
        (sub, text) -> {
          long now = System.nanoTime();
          int i = Integer.parseInt(text.substring(2));
          if (i >= 0 && seenAt.compareAndSet(i * SUBSCRIBERS + sub, 0, now)) {
            seen[i].countDown();
          }
        };
    List<Long> sessions = new ArrayList<>();
    for (int s = 0; s < SUBSCRIBERS; s++) {
      sessions.add(subscribe(system, env, path, s, sink));
    }
    if (!warmUp) {
      tally.count("watches", watches(env, sessions, path));
      tally.count("subscriber rounds", SUBSCRIBERS);
    }
    for (int i = 0; i < writes; i++) {
      writer.setData(path, value(i), -1);
      long returned = System.nanoTime();
      if (!seen[i].await(SEEN_WAIT_SECONDS, TimeUnit.SECONDS)) {
        tally.count("missed", seen[i].getCount());
      }
      for (int s = 0; s < SUBSCRIBERS; s++) {
        long at = seenAt.get(i * SUBSCRIBERS + s);
        if (at != 0) {
          tally.samples("propagation").add(at - returned);
        }
      }
    }
  }

  @FunctionalInterface
  private interface Sink {
    void seen(int subscriber, String value);
  }

  private static byte[] value(int i) {
    return ("v-" + i).getBytes(StandardCharsets.UTF_8);
  }

  /** Starts one subscriber with its own client, waits until it has the first value; its session. */
  private static long subscribe(Sys system, Env env, String path, int s, Sink sink)
      throws Exception {
    if (system == Sys.BATON) {
      Baton b = env.baton();
      ConfigSubscription<String> sub = ConfigSubscription.create(b, path, Codec.utf8());
      env.closeAtEndOfRound(sub);
      sub.onChange((prev, cur) -> cur.ifPresent(v -> sink.seen(s, v.value())));
      sub.awaitValue(Duration.ofSeconds(30));
      return b.currentSession().orElseThrow().id();
    }
    CuratorFramework c = env.curator();
    CuratorCache cache = CuratorCache.build(c, path);
    CountDownLatch initialized = new CountDownLatch(1);
    cache
        .listenable()
        .addListener(
            new CuratorCacheListener() {
              @Override
              public void event(Type type, ChildData oldData, ChildData data) {
                if (data != null && data.getPath().equals(path)) {
                  sink.seen(s, new String(data.getData(), StandardCharsets.UTF_8));
                }
              }

              @Override
              public void initialized() {
                initialized.countDown();
              }
            });
    env.closeAtEndOfRound(cache);
    cache.start();
    if (!initialized.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("CuratorCache of " + path + " never initialized");
    }
    return c.getZookeeperClient().getZooKeeper().getSessionId();
  }

  /**
   * Entries of {@code sessions} for {@code path} or below in the {@code wchc} output of every
   * server ({@code wchc} lists the data-watch table, where persistent watches are kept too).
   * Watches elsewhere, such as both clients' watch on {@code /zookeeper/config} (Curator's ensemble
   * tracker, which Baton's connection layer also runs), are not the cache's and not counted.
   */
  static long watches(Env env, List<Long> sessions, String path) throws IOException {
    Set<String> ids = new HashSet<>();
    sessions.forEach(id -> ids.add("0x" + Long.toHexString(id)));
    long count = 0;
    for (String server : env.connectString().split("/")[0].split(",")) {
      boolean ours = false;
      for (String line : fourLetterWord(server, "wchc").split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        if (!Character.isWhitespace(line.charAt(0))) {
          ours = ids.contains(line.trim());
        } else if (ours && (line.trim().equals(path) || line.trim().startsWith(path + "/"))) {
          count++;
        }
      }
    }
    return count;
  }

  /**
   * Sends a four-letter word to {@code server} (host:port, always 127.0.0.1) and reads the answer.
   */
  static String fourLetterWord(String server, String word) throws IOException {
    int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      return answer.toString(StandardCharsets.US_ASCII);
    }
  }

  @Override
  public List<Metric> report(Sys system, Tally t) {
    String n = name();
    Samples p = t.samples("propagation");
    long subs = t.counter("subscriber rounds");
    double perSub = subs == 0 ? Double.NaN : (double) t.counter("watches") / subs;
    return List.of(
        new Metric(
            n,
            "propagation p50",
            system,
            p.percentileMillis(50),
            "ms",
            Better.LOWER,
            "writer's setData returned -> subscriber's listener called, "
                + SUBSCRIBERS
                + " subscribers with own sessions, one write at a time"),
        new Metric(n, "propagation p99", system, p.percentileMillis(99), "ms", Better.LOWER, ""),
        new Metric(
            n,
            "server watches per subscriber",
            system,
            perSub,
            "count",
            Better.LOWER,
            "wchc entries of the subscribers' sessions for the cache's path or below, all servers"),
        new Metric(n, "values never seen", system, t.counter("missed"), "count", Better.ZERO, ""));
  }
}
