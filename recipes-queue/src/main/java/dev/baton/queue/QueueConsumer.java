package dev.baton.queue;

import dev.baton.core.ErrorHandler;
import dev.baton.core.HoldLostException;
import dev.baton.core.NotAuthorizedException;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A managed consumer of a {@link WorkQueue}, started by {@link WorkQueue#consume}: worker threads
 * take items and run the handler; the handler is retried with exponential backoff (resilience4j
 * {@code Retry}) and an item whose handler failed {@code maxAttempts} times is dead-lettered with
 * the last failure as its reason, in one transaction with its removal from the queue. Nothing is
 * dropped silently.
 *
 * <h2>Shutdown</h2>
 *
 * {@link #close()} stops taking, lets in-flight handlers finish for up to the shutdown timeout,
 * then interrupts them; items whose handler did not finish are released and delivered again.
 *
 * <h2>Loss</h2>
 *
 * If the consumer's session ends while a handler runs, its ack fails ({@link HoldLostException},
 * reported to the client's error handler) and the item is delivered again elsewhere: handlers must
 * be idempotent.
 *
 * <h2>Refusal</h2>
 *
 * If the servers refuse the consumer for want of rights ({@link NotAuthorizedException}: its client
 * lacks the credentials the queue's ACL asks for), retrying cannot help: the consumer reports the
 * refusal once to the error handler, stops taking, and {@link #refusal()} tells why.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class QueueConsumer implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(250);

  private final WorkQueue<?> queue;
  private final ConsumerOptions options;
  private final ErrorHandler errors;
  private final Retry retry;
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong handled = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicInteger busy = new AtomicInteger();
  private final AtomicReference<NotAuthorizedException> refusal = new AtomicReference<>();

  <T> QueueConsumer(
      WorkQueue<T> queue,
      ItemHandler<? super T> handler,
      ConsumerOptions options,
      ErrorHandler errors) {
    this.queue = queue;
    this.options = options;
    this.errors = errors;
    this.retry =
        Retry.of(
            "baton-queue" + queue.path(),
            RetryConfig.custom()
                .maxAttempts(options.maxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialBackoff(
                        options.initialBackoff(), 2.0, options.maxBackoff()))
                // An interrupt means shutdown: give the item back instead of trying again.
                .retryOnException(e -> !(e instanceof InterruptedException) && running.get())
                .build());
    for (int i = 0; i < options.concurrency(); i++) {
      Thread t = new Thread(() -> work(queue, handler), "baton-consumer" + queue.path() + "-" + i);
      t.setDaemon(true);
      workers.add(t);
    }
    workers.forEach(Thread::start);
  }

  private <T> void work(WorkQueue<T> q, ItemHandler<? super T> handler) {
    while (running.get() && refusal.get() == null) {
      Optional<Delivery<T>> next;
      try {
        next = q.poll(POLL);
      } catch (InterruptedException e) {
        return;
      } catch (NotAuthorizedException e) {
        if (refusal.compareAndSet(null, e)) {
          errors.handle("taking from " + q.path() + " (the consumer stops: not authorized)", e);
        }
        return;
      } catch (RuntimeException e) {
        if (running.get()) {
          errors.handle("taking from " + q.path(), e);
        }
        continue;
      }
      if (next.isEmpty()) {
        continue;
      }
      Delivery<T> d = next.get();
      if (!running.get()) {
        d.close();
        return;
      }
      busy.incrementAndGet();
      try {
        handle(d, handler);
      } finally {
        busy.decrementAndGet();
      }
    }
  }

  private <T> void handle(Delivery<T> d, ItemHandler<? super T> handler) {
    AtomicInteger attempts = new AtomicInteger();
    try {
      Retry.decorateCheckedRunnable(
              retry,
              () -> {
                attempts.incrementAndGet();
                handler.handle(d.item());
              })
          .run();
    } catch (InterruptedException e) {
      // shut down mid-handler: give the item back for redelivery
      d.close();
      Thread.currentThread().interrupt();
      return;
    } catch (Throwable failure) {
      if (Thread.currentThread().isInterrupted()
          || interrupted(failure)
          || attempts.get() < options.maxAttempts()) {
        // Shutting down before the attempts were used up: give the item back.
        d.close();
        return;
      }
      settle(d, d.deadLetter(describe(failure), attempts.get()), "dead-lettering");
      deadLettered.incrementAndGet();
      return;
    }
    settle(d, d.ackAsync(), "acking");
    handled.incrementAndGet();
  }

  private static boolean interrupted(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  private void settle(Delivery<?> d, java.util.concurrent.CompletableFuture<Void> f, String what) {
    try {
      f.join();
    } catch (RuntimeException e) {
      errors.handle(
          what + " " + d.id() + " of " + queue.path(), e.getCause() == null ? e : e.getCause());
    }
  }

  private static String describe(Throwable t) {
    return t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  /** Items handled and acked by this consumer. */
  public long handled() {
    return handled.get();
  }

  /** Items this consumer dead-lettered. */
  public long deadLettered() {
    return deadLettered.get();
  }

  /**
   * Why the consumer stopped taking on its own: the servers refused it for want of rights. Empty
   * while it runs (and after a plain {@link #close()}).
   */
  public Optional<NotAuthorizedException> refusal() {
    return Optional.ofNullable(refusal.get());
  }

  /** Handlers running now. */
  public int busy() {
    return busy.get();
  }

  /**
   * Stops taking, waits up to the shutdown timeout for in-flight handlers, then interrupts them
   * (their items are released). Idempotent.
   */
  @Override
  public void close() {
    if (!running.compareAndSet(true, false)) {
      return;
    }
    long deadline = System.nanoTime() + options.shutdownTimeout().toNanos();
    boolean interrupted = false;
    for (Thread t : workers) {
      long left = deadline - System.nanoTime();
      try {
        t.join(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    for (Thread t : workers) {
      t.interrupt();
    }
    for (Thread t : workers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    queue.removeConsumer(this);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
