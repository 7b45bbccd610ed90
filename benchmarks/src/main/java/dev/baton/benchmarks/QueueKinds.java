package dev.baton.benchmarks;

import dev.baton.core.Codec;
import dev.baton.queue.Delivery;
import dev.baton.queue.WorkQueue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.queue.SimpleDistributedQueue;
import org.apache.curator.framework.state.ConnectionState;

/**
 * The queues item 7 measures, behind one shape: producers that put one item per call, and consumers
 * (one client and thread each) that hand every item taken to a sink until closed. Stateless.
 */
final class QueueKinds {

  private QueueKinds() {}

  @FunctionalInterface
  interface Putter {
    void put(String item) throws Exception;
  }

  /** One queue implementation: producers, and consumers that run until closed. */
  interface Kind {
    Putter producer() throws Exception;

    AutoCloseable consumers(int count, Consumer<String> sink) throws Exception;

    /**
     * Waits until the items handed to the sink are gone from the servers; false if they never were.
     */
    default boolean settled() throws Exception {
      return true;
    }
  }

  /** Consumer threads that call {@code take} until closed; {@code take} returns null when idle. */
  private static AutoCloseable pollers(
      int count, PollSource source, Consumer<String> sink, String what) throws Exception {
    List<Poller> takers = new ArrayList<>();
    for (int c = 0; c < count; c++) {
      takers.add(source.open());
    }
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService threads = Executors.newFixedThreadPool(count);
    for (Poller t : takers) {
      threads.submit(
          () -> {
            while (!stop.get()) {
              try {
                String item = t.take();
                if (item != null) {
                  sink.accept(item);
                }
              } catch (InterruptedException e) {
                return null;
              } catch (Exception e) {
                if (!stop.get()) {
                  System.err.println(what + " consumer failed: " + e);
                }
              }
            }
            return null;
          });
    }
    return () -> {
      stop.set(true);
      threads.shutdown();
      if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
        threads.shutdownNow();
      }
      takers.forEach(Poller::close);
    };
  }

  @FunctionalInterface
  private interface PollSource {
    Poller open() throws Exception;
  }

  private interface Poller {
    /** The next item, or null if none came within a short wait. */
    String take() throws Exception;

    /** Stops watching the queue. */
    default void close() {}
  }

  record BatonKind(Env env, String path) implements Kind {
    private WorkQueue<String> queue() throws InterruptedException {
      WorkQueue<String> q = WorkQueue.create(env.baton(), path, Codec.utf8());
      env.closeAtEndOfRound(q);
      return q;
    }

    @Override
    public Putter producer() throws Exception {
      WorkQueue<String> q = queue();
      return q::put;
    }

    @Override
    public AutoCloseable consumers(int count, Consumer<String> sink) throws Exception {
      return pollers(
          count,
          () -> {
            WorkQueue<String> q = queue();
            return new Poller() {
              @Override
              public String take() throws Exception {
                Optional<Delivery<String>> d = q.poll(Duration.ofMillis(200));
                if (d.isEmpty()) {
                  return null;
                }
                d.get().ack();
                return d.get().item();
              }

              @Override
              public void close() {
                q.close(); // its item-list watches would otherwise load the next phase
              }
            };
          },
          sink,
          "baton");
    }
  }

  record SdqKind(Env env, String path) implements Kind {
    @Override
    public Putter producer() throws Exception {
      SimpleDistributedQueue q = new SimpleDistributedQueue(env.curator(), path);
      return item -> q.offer(item.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public AutoCloseable consumers(int count, Consumer<String> sink) throws Exception {
      return pollers(
          count,
          () -> {
            SimpleDistributedQueue q = new SimpleDistributedQueue(env.curator(), path);
            return () -> {
              byte[] b = q.poll(200, TimeUnit.MILLISECONDS);
              return b == null ? null : new String(b, StandardCharsets.UTF_8);
            };
          },
          sink,
          "SimpleDistributedQueue");
    }
  }

  record DqKind(Env env, String path) implements Kind {
    private static final QueueSerializer<String> UTF8 =
        new QueueSerializer<>() {
          @Override
          public byte[] serialize(String item) {
            return item.getBytes(StandardCharsets.UTF_8);
          }

          @Override
          public String deserialize(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
          }
        };

    private DistributedQueue<String> queue(QueueConsumer<String> consumer) throws Exception {
      CuratorFramework c = env.curator();
      // lockPath: an item is locked while consumed and deleted only after the consumer returns;
      // putInBackground(false): put returns once the node is created, like Baton's put.
      DistributedQueue<String> q =
          QueueBuilder.builder(c, consumer, UTF8, path)
              .lockPath(path + "-locks")
              .putInBackground(false)
              .buildQueue();
      q.start();
      env.closeAtEndOfRound(q);
      return q;
    }

    /**
     * Curator deletes an item, then its lock node, after its consumer returned: counted in the time
     * taken (closing the consumers earlier would interrupt those deletes).
     */
    @Override
    public boolean settled() throws Exception {
      long deadline = System.nanoTime() + QueueBench.IDLE_NANOS;
      while (env.children(path) > 0 || env.children(path + "-locks") > 0) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(1);
      }
      return true;
    }

    @Override
    public Putter producer() throws Exception {
      DistributedQueue<String> q = queue(null);
      return q::put;
    }

    @Override
    public AutoCloseable consumers(int count, Consumer<String> sink) throws Exception {
      List<DistributedQueue<String>> qs = new ArrayList<>();
      QueueConsumer<String> consumer =
          new QueueConsumer<>() {
            @Override
            public void consumeMessage(String item) {
              sink.accept(item);
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState newState) {}
          };
      for (int i = 0; i < count; i++) {
        qs.add(queue(consumer));
      }
      return () -> {
        for (DistributedQueue<String> q : qs) {
          q.close();
        }
      };
    }
  }
}
