package dev.baton.soak;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The threads of one workload and their shared stop flag. Thread-safe: a volatile flag and a
 * concurrent list.
 */
final class Actors {

  /** A loop body that may block. */
  interface Body {
    void run() throws Exception;
  }

  private final String prefix;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final List<Throwable> crashes = new CopyOnWriteArrayList<>();

  Actors(String prefix) {
    this.prefix = prefix;
  }

  /** Starts a daemon thread running {@code body} until {@link #stop} (or until it throws). */
  void start(String name, Body body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Throwable e) {
                crashes.add(e);
              }
            },
            prefix + "-" + name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  boolean running() {
    return running.get();
  }

  /** Asks every loop to stop and waits up to {@code timeout} for each; interrupts stragglers. */
  void stop(Duration timeout) throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(timeout.toMillis());
      if (t.isAlive()) {
        t.interrupt();
        t.join(timeout.toMillis());
      }
    }
  }

  /** What the loops threw (an actor that throws ends; a soak expects none). */
  List<Throwable> crashes() {
    return List.copyOf(crashes);
  }

  /** Paces a loop (not an ordering wait: the soak's activity rate). */
  static void pace(long millis) throws InterruptedException {
    Thread.sleep(millis);
  }
}
