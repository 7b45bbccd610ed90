package dev.baton.samples;

import dev.baton.core.Baton;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockLease;
import dev.baton.testkit.FencedResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Locks with fencing: workers on separate sessions take turns in a critical section and pass the
 * lease's fencing token to a resource that rejects stale tokens. Then one worker stalls (a long GC
 * pause, a frozen VM) past its session timeout while holding the lock: another worker gets the lock
 * with a higher token, and the stalled worker's late write is rejected by the resource.
 *
 * <p>Run alone: {@code java ... dev.baton.samples.LockScenario [--connect host:port,...]
 * [--quick]}.
 */
public final class LockScenario {

  private LockScenario() {}

  public static void main(String[] args) throws Exception {
    try (SampleRun run = SampleRun.open("Locks and fencing tokens", args, System.out)) {
      run(run);
      System.exit(run.report() == 0 ? 0 : 1);
    }
  }

  static void run(SampleRun run) throws Exception {
    FencedResource ledger = new FencedResource("billing-ledger");
    int workers = 3;
    int rounds = run.quick() ? 5 : 20;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    run.say(
        "%d workers, each on its own session, take the lock %d times and write with its token",
        workers, rounds);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        String name = "worker-" + (w + 1);
        DistributedLock lock = DistributedLock.create(run.client(), "/locks/billing");
        done.add(
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    try (LockLease lease = lock.acquire(Duration.ofSeconds(20))) {
                      if (inside.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                      }
                      ledger.write(lease.fencingToken(), name, name + " entry " + r);
                      inside.decrementAndGet();
                    }
                  }
                  run.say("  %s finished %d turns", name, rounds);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    run.check(
        "every one of the " + workers * rounds + " writes was accepted, in token order",
        ledger.acceptedWrites() == (long) workers * rounds && ledger.staleWrites() == 0);
    run.check("no two workers were ever inside together", overlaps.get() == 0);

    Baton slowClient = run.client();
    Baton fastClient = run.client();
    LockLease slow =
        DistributedLock.create(slowClient, "/locks/billing").acquire(Duration.ofSeconds(20));
    long staleToken = slow.fencingToken();
    run.say(
        "worker-slow holds the lock (token %d) and stalls past its session timeout ...",
        staleToken);
    run.expire(slowClient);
    LockLease fast =
        DistributedLock.create(fastClient, "/locks/billing").acquire(Duration.ofSeconds(20));
    run.say(
        "  the servers ended worker-slow's session; worker-fast got the lock (token %d)",
        fast.fencingToken());
    run.check("the new token is higher", fast.fencingToken() > staleToken);
    run.check(
        "worker-fast's write is accepted",
        ledger.write(fast.fencingToken(), "worker-fast", "fresh"));
    fast.close();
    run.say("worker-slow wakes up and writes as if it still held the lock ...");
    boolean accepted = ledger.write(staleToken, "worker-slow", "stale");
    run.say(
        "  the ledger %s the write with token %d (highest seen %d)",
        accepted ? "ACCEPTED" : "rejected", staleToken, ledger.highestToken().orElse(0));
    run.check("the stale write is rejected", !accepted);
    run.check(
        "worker-slow's lease says it is lost once it can talk to the servers",
        run.waitFor(() -> slow.lost().toCompletableFuture().isDone()));
    slow.close();
    run.count("lock turns", ledger.acceptedWrites());
    run.count("stale writes rejected", ledger.staleWrites());
    run.count("stale writes accepted", accepted ? 1 : 0);
  }
}
