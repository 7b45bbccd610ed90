package dev.baton.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.core.internal.SerialExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

  @Test
  void tasks_runInEnqueueOrder_oneAtATime_onAPool() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Integer> seen = new CopyOnWriteArrayList<>();
      AtomicInteger running = new AtomicInteger();
      AtomicInteger maxRunning = new AtomicInteger();
      SerialExecutor serial = new SerialExecutor(pool, t -> {});
      CountDownLatch done = new CountDownLatch(1000);
      for (int i = 0; i < 1000; i++) {
        int n = i;
        serial.execute(
            () -> {
              maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              seen.add(n);
              running.decrementAndGet();
              done.countDown();
            });
      }
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(seen).hasSize(1000).isSorted();
      assertThat(maxRunning.get()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void throwingTask_isReported_andLaterTasksStillRun() {
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<String> ran = new CopyOnWriteArrayList<>();
    SerialExecutor serial = new SerialExecutor(Runnable::run, failures::add);
    serial.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    serial.execute(() -> ran.add("after"));
    assertThat(failures).singleElement().hasFieldOrPropertyWithValue("message", "boom");
    assertThat(ran).containsExactly("after");
  }

  @Test
  void enqueue_withoutDrain_runsNothing_untilDrained() {
    List<String> ran = new CopyOnWriteArrayList<>();
    SerialExecutor serial = new SerialExecutor(Runnable::run, t -> {});
    serial.enqueue(() -> ran.add("a"));
    serial.enqueue(() -> ran.add("b"));
    assertThat(ran).isEmpty();
    serial.drain();
    assertThat(ran).containsExactly("a", "b");
  }
}
