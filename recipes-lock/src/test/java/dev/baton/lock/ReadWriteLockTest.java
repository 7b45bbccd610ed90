package dev.baton.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.core.Baton;
import dev.baton.core.HoldState;
import dev.baton.testkit.FencedResource;
import dev.baton.testkit.TestClients;
import dev.baton.testkit.WithZooKeeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@WithZooKeeper(size = 3, sessionTimeoutMillis = 4000, connectionTimeoutMillis = 3000)
class ReadWriteLockTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final String PATH = "/locks/rw";

  @Test
  void readers_shareTheLock_andAWriterWaitsForAllOfThem(TestClients clients) throws Exception {
    LockLease r1 = ReadWriteLock.create(clients.connect(), PATH).readLock().acquire(WAIT);
    LockLease r2 = ReadWriteLock.create(clients.connect(), PATH).readLock().acquire(WAIT);
    CompletableFuture<LockLease> writer =
        ReadWriteLock.create(clients.connect(), PATH).writeLock().acquireAsync(WAIT);
    ReadWriteLock view = ReadWriteLock.create(clients.connect(), PATH);
    await().atMost(WAIT).until(() -> view.writeLock().inspect().waiters().size() == 1);
    assertThat(view.readLock().inspect().holders()).hasSize(2);

    r1.close();
    assertThat(writer).isNotDone();
    r2.close();
    LockLease w = writer.get(60, TimeUnit.SECONDS);
    assertThat(w.fencingToken()).isGreaterThan(r2.fencingToken());
    assertThat(view.writeLock().inspect().holders())
        .extracting(LockInfo.Contender::kind)
        .containsExactly("write");
    w.close();
  }

  @Test
  void readerQueuedBehindAWriter_waitsOnlyForThatWriter_notForTheGrantedReaderBeforeIt(
      TestClients clients) throws Exception {
    // Kazoo 649's shape: R1 granted, W2 waits for R1, R3 arrives. R3 must wait for W2 only, and W2
    // must get the lock when R1 leaves; nobody waits for R3.
    LockLease r1 = ReadWriteLock.create(clients.connect(), PATH).readLock().acquire(WAIT);
    CompletableFuture<LockLease> w2 =
        ReadWriteLock.create(clients.connect(), PATH).writeLock().acquireAsync(WAIT);
    ReadWriteLock view = ReadWriteLock.create(clients.connect(), PATH);
    await().atMost(WAIT).until(() -> view.readLock().inspect().waiters().size() == 1);
    CompletableFuture<LockLease> r3 =
        ReadWriteLock.create(clients.connect(), PATH).readLock().acquireAsync(WAIT);
    await().atMost(WAIT).until(() -> view.readLock().inspect().waiters().size() == 2);
    assertThat(r3).isNotDone(); // FIFO: a reader does not overtake a queued writer

    r1.close();
    LockLease w = w2.get(60, TimeUnit.SECONDS);
    assertThat(r3).isNotDone();
    w.close();
    LockLease r = r3.get(60, TimeUnit.SECONDS);
    assertThat(r.state()).isEqualTo(HoldState.HELD);
    r.close();
  }

  @Test
  void mixedReadersAndWriters_neverLetAWriterOverlapAnyone_andFencingHolds(TestClients clients)
      throws Exception {
    AtomicInteger readers = new AtomicInteger();
    AtomicInteger writers = new AtomicInteger();
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger maxReaders = new AtomicInteger();
    FencedResource resource = new FencedResource("rw");
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int c = 0; c < 6; c++) {
        boolean writer = c % 3 == 0;
        Baton client = clients.connect();
        ReadWriteLock lock = ReadWriteLock.create(client, PATH);
        runs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 10; i++) {
                    try (LockLease lease =
                        (writer ? lock.writeLock() : lock.readLock()).acquire(WAIT)) {
                      if (writer) {
                        if (writers.incrementAndGet() != 1 || readers.get() != 0) {
                          violations.incrementAndGet();
                        }
                        if (!resource.write(lease.fencingToken(), "w", "v")) {
                          violations.incrementAndGet();
                        }
                        Thread.yield();
                        writers.decrementAndGet();
                      } else {
                        maxReaders.accumulateAndGet(readers.incrementAndGet(), Math::max);
                        if (writers.get() != 0) {
                          violations.incrementAndGet();
                        }
                        Thread.yield();
                        readers.decrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : runs) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(violations).hasValue(0);
    resource.assertNoStaleWrites();
    assertThat(resource.acceptedWrites()).isEqualTo(20);
    System.out.printf("[measure] rw lock: at most %d readers at once%n", maxReaders.get());
  }
}
