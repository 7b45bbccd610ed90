package dev.baton.core.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time, in the order they were enqueued, on an underlying executor: the
 * per-listener ordering contract of every Baton listener (Guava's Service listeners work the same
 * way).
 *
 * <p>Enqueueing and starting are separate ({@link #enqueue} then {@link #drain}) so a caller can
 * fix the order of events under its own lock and hand them to user code only after releasing it,
 * even when the underlying executor runs tasks inline.
 *
 * <p>Thread-safe: a lock-free queue plus a CAS-guarded "draining" flag; at most one drain runs at a
 * time.
 *
 * <p>Not part of Baton's public API (an {@code internal} package).
 */
public final class SerialExecutor implements Executor {

  private final Executor delegate;
  private final Consumer<Throwable> onTaskFailure;
  private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  /**
   * @param delegate runs the drain loop
   * @param onTaskFailure receives anything a task throws; the next task still runs
   */
  public SerialExecutor(Executor delegate, Consumer<Throwable> onTaskFailure) {
    this.delegate = delegate;
    this.onTaskFailure = onTaskFailure;
  }

  /** Enqueues and starts draining. */
  @Override
  public void execute(Runnable task) {
    enqueue(task);
    drain();
  }

  /** Adds a task to the end of the queue without running anything. */
  public void enqueue(Runnable task) {
    queue.add(task);
  }

  /** Starts draining on the underlying executor unless a drain is already running. */
  public void drain() {
    if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
      return;
    }
    try {
      delegate.execute(this::runAll);
    } catch (RejectedExecutionException e) {
      draining.set(false);
      onTaskFailure.accept(e);
    }
  }

  private void runAll() {
    while (true) {
      Runnable task;
      while ((task = queue.poll()) != null) {
        try {
          task.run();
        } catch (Throwable t) {
          onTaskFailure.accept(t);
        }
      }
      draining.set(false);
      // A task enqueued after the last poll but before the flag was cleared would be stranded: take
      // it back.
      if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
        return;
      }
    }
  }
}
