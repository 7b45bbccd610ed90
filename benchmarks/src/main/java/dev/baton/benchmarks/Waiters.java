package dev.baton.benchmarks;

import dev.baton.core.Baton;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockLease;
import dev.baton.testkit.MutualExclusionChecker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;

/**
 * One system's holder and queue of waiters for {@link Drain}. Each granted waiter enters the
 * mutual-exclusion checker and releases at once. Confined to the round's thread (waiters run on
 * their own threads or callbacks and only touch the checker and atomics).
 */
interface Waiters {

  /** Stack size of Curator's waiter threads: small, so that thousands fit. */
  long WAITER_STACK = 256 * 1024;

  /** The holder acquires (on its own session), then {@code n} waiters start. */
  void enqueue(int n) throws Exception;

  /** Releases the holder and waits for the queue to drain, until {@code deadlineNanos}. */
  boolean releaseHolderAndDrain(long deadlineNanos) throws Exception;

  /** Gives up (the round's clients are closed afterwards). */
  void abandon();

  /** Waiters that failed (not counting those abandoned). */
  long failures();

  /** Baton: {@code acquireAsync} per waiter, no thread each. */
  final class BatonWaiters implements Waiters {
    private final DistributedLock holderLock;
    private final DistributedLock waiterLock;
    private final MutualExclusionChecker checker;
    private final List<CompletableFuture<Void>> granted = new ArrayList<>();
    private LockLease holder;

    BatonWaiters(Env env, String waitersCs, String path, MutualExclusionChecker checker)
        throws InterruptedException {
      this.holderLock = DistributedLock.create(env.baton(), path);
      Baton waitersClient = env.baton(waitersCs);
      this.waiterLock = DistributedLock.create(waitersClient, path);
      this.checker = checker;
    }

    @Override
    public void enqueue(int n) throws Exception {
      holder = holderLock.acquire(Env.LONG);
      for (int i = 0; i < n; i++) {
        String name = "waiter-" + i;
        granted.add(
            waiterLock
                .acquireAsync(Env.LONG)
                .thenCompose(
                    lease -> {
                      checker.enter(name).close();
                      return lease.release();
                    }));
      }
    }

    @Override
    public boolean releaseHolderAndDrain(long deadlineNanos) throws Exception {
      holder.release();
      try {
        CompletableFuture.allOf(granted.toArray(CompletableFuture[]::new))
            .exceptionally(e -> null)
            .get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        return true;
      } catch (TimeoutException e) {
        return false;
      }
    }

    @Override
    public void abandon() {
      if (holder != null) {
        holder.release();
      }
      granted.forEach(f -> f.cancel(true));
    }

    @Override
    public long failures() {
      return granted.stream().filter(f -> f.isCompletedExceptionally() && !f.isCancelled()).count();
    }
  }

  /**
   * Curator: one blocked thread per waiter ({@code InterProcessMutex.acquire} blocks), with one
   * mutex instance per thread (waiters watch different nodes, as separate processes would) or one
   * instance shared by all threads (as threads of one process would share it).
   */
  final class CuratorWaiters implements Waiters {
    private final CuratorFramework waitersClient;
    private final String path;
    private final MutualExclusionChecker checker;
    private final LockHandle holder;
    private final InterProcessMutex shared;
    private final Thread holderThread;
    private final CompletableFuture<Void> holderRelease = new CompletableFuture<>();
    private final CompletableFuture<Void> holderHolds = new CompletableFuture<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean abandoned;

    CuratorWaiters(
        Env env, String waitersCs, String path, boolean sharedMutex, MutualExclusionChecker checker)
        throws InterruptedException {
      this.path = path;
      this.checker = checker;
      this.holder = LockHandle.of(Sys.CURATOR, env.curator(), path);
      this.waitersClient = env.curator(waitersCs);
      this.shared = sharedMutex ? new InterProcessMutex(waitersClient, path) : null;
      this.holderThread = new Thread(this::hold, "curator-holder");
      holderThread.setDaemon(true);
    }

    /** The holder's thread: InterProcessMutex must be released by the thread that acquired it. */
    private void hold() {
      try {
        holder.acquire();
        holderHolds.complete(null);
        holderRelease.join();
        holder.release();
      } catch (Exception e) {
        holderHolds.completeExceptionally(e);
      }
    }

    @Override
    public void enqueue(int n) throws Exception {
      holderThread.start();
      holderHolds.get(Env.LONG.toSeconds(), TimeUnit.SECONDS);
      for (int i = 0; i < n; i++) {
        String name = "waiter-" + i;
        InterProcessMutex mutex =
            shared != null ? shared : new InterProcessMutex(waitersClient, path);
        Thread t = new Thread(null, () -> waiter(mutex, name), name, WAITER_STACK);
        t.setDaemon(true);
        t.start(); // OutOfMemoryError "unable to create native thread" is reported by Drain
        threads.add(t);
      }
    }

    private void waiter(InterProcessMutex mutex, String name) {
      try {
        if (!mutex.acquire(Env.LONG.toSeconds(), TimeUnit.SECONDS)) {
          failures.incrementAndGet();
          return;
        }
        checker.enter(name).close();
        mutex.release();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        if (!abandoned) {
          failures.incrementAndGet();
        }
      }
    }

    @Override
    public boolean releaseHolderAndDrain(long deadlineNanos) throws InterruptedException {
      holderRelease.complete(null);
      for (Thread t : threads) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        t.join(left);
      }
      return threads.stream().noneMatch(Thread::isAlive);
    }

    @Override
    public void abandon() {
      abandoned = true;
      holderRelease.complete(null);
      threads.forEach(Thread::interrupt);
    }

    @Override
    public long failures() {
      return failures.get();
    }
  }
}
