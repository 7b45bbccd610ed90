package dev.baton.soak;

import dev.baton.core.Baton;
import dev.baton.core.BatonException;
import dev.baton.core.HoldState;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockLease;
import dev.baton.testkit.FencedResource;
import dev.baton.testkit.MutualExclusionChecker;
import dev.baton.testkit.SoakContext;
import dev.baton.testkit.SoakResult;
import dev.baton.testkit.SoakWorkload;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Lock holders, each on its own client, that take one {@link DistributedLock} in turn and, while
 * their lease is HELD, enter a critical section ({@link MutualExclusionChecker}) and write through
 * a {@link FencedResource} with the lease's fencing token.
 *
 * <p>Checks: no two holders inside at once ({@code mutexViolations=0}); every write the resource
 * refused came from a lease whose loss was signalled ({@code refusedFromUnsignalledLease=0}: a
 * refused write means another holder was granted a later token, so ours must have been lost); every
 * lease LOST by the time its holder was done with it ({@code lostWhileHolding}: cut off past the
 * session timeout, session expired) had its {@code lost()} completed ({@code lossNotSignalled=0}).
 * The resource itself never accepts a lower token, so stale writes accepted are 0 by construction;
 * {@code writesRefused} counts the stale writes it stopped.
 *
 * <p>Thread-safe: one thread per holder, shared state in thread-safe checkers and counters.
 */
final class LockWorkload implements SoakWorkload {

  private final int holders;
  private final FencedResource resource = new FencedResource("soak-lock");
  private final MutualExclusionChecker mutex = new MutualExclusionChecker();
  private final List<LockLease> refused = new CopyOnWriteArrayList<>();
  private final Actors actors = new Actors("soak-lock");
  private volatile Random random = new Random();
  private final Counters c =
      new Counters(
          "locks",
          "holders",
          "granted",
          "released",
          "uncertain",
          "uncertainThenHeld",
          "uncertainThenLost",
          "lostWhileHolding",
          "releaseErrors",
          "acquireErrors",
          "lossesSignalled",
          "writesAccepted",
          "writesRefused",
          "mutexViolations",
          "refusedFromUnsignalledLease",
          "lossNotSignalled");

  LockWorkload(int holders) {
    this.holders = holders;
  }

  @Override
  public String name() {
    return "locks";
  }

  @Override
  public void start(SoakContext context) {
    c.set("holders", holders);
    random = context.random();
    for (int i = 0; i < holders; i++) {
      String name = "lock-" + i;
      Baton client = context.client(name);
      DistributedLock lock = DistributedLock.create(client, "/locks/soak");
      actors.start(name, () -> loop(context, client, lock, name));
    }
  }

  private void loop(SoakContext context, Baton client, DistributedLock lock, String name)
      throws InterruptedException {
    while (actors.running()) {
      Optional<LockLease> lease;
      try {
        lease = lock.tryAcquire(Duration.ofSeconds(2));
      } catch (BatonException e) {
        c.inc("acquireErrors");
        Actors.pace(100);
        continue;
      }
      if (lease.isPresent()) {
        context.busy(client, true); // half the client faults strike a holder
        try {
          use(lease.get(), name);
          awaitOutcome(lease.get());
          checkLossSignalled(lease.get());
        } finally {
          context.busy(client, false);
        }
        release(lease.get());
      }
    }
  }

  private void use(LockLease lease, String name) throws InterruptedException {
    c.inc("granted");
    lease.lost().thenRun(() -> c.inc("lossesSignalled"));
    // Holds of 3 to 25 writes (~0.1-1 s): long enough that a fault aimed at a busy holder (an
    // expiry takes a few hundred ms to join the session) still finds it holding.
    int writes = 3 + random.nextInt(23);
    for (int i = 0; i < writes && lease.state() == HoldState.HELD; i++) {
      try (MutualExclusionChecker.Section s = mutex.enter(name)) {
        if (resource.write(lease.fencingToken(), name, name + "#" + i)) {
          c.inc("writesAccepted");
        } else {
          c.inc("writesRefused");
          refused.add(lease);
        }
      }
      Actors.pace(40);
    }
  }

  /**
   * A holder cut off keeps its lease until it knows: back to HELD when its session returns, or
   * LOST, signalled through {@code lost()}, when the session ended. Releasing while UNCERTAIN would
   * turn a loss into a plain release (release reports no loss), hiding what the soak checks.
   */
  private void awaitOutcome(LockLease lease) throws InterruptedException {
    if (lease.state() != HoldState.UNCERTAIN) {
      return;
    }
    c.inc("uncertain");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (lease.state() == HoldState.UNCERTAIN && System.nanoTime() < deadline) {
      Actors.pace(20);
    }
    c.inc(lease.state() == HoldState.LOST ? "uncertainThenLost" : "uncertainThenHeld");
  }

  /**
   * A lease LOST by the time its holder is done must have had {@code lost()} completed (it is
   * completed right after the state changes, so a moment's grace).
   */
  private void checkLossSignalled(LockLease lease) throws InterruptedException {
    if (lease.state() != HoldState.LOST) {
      return;
    }
    c.inc("lostWhileHolding");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!lease.lost().toCompletableFuture().isDone() && System.nanoTime() < deadline) {
      Actors.pace(10);
    }
    if (!lease.lost().toCompletableFuture().isDone()) {
      c.inc("lossNotSignalled");
    }
  }

  private void release(LockLease lease) throws InterruptedException {
    try {
      lease.release().get(10, TimeUnit.SECONDS);
      c.inc("released");
    } catch (ExecutionException | TimeoutException e) {
      c.inc("releaseErrors");
    }
  }

  @Override
  public void stop() throws InterruptedException {
    actors.stop(Duration.ofSeconds(20));
    c.set("mutexViolations", mutex.violations());
    // A loss is signalled when the client hears of it; give a reconnecting client its time.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (LockLease lease : refused) {
      while (!lease.lost().toCompletableFuture().isDone() && System.nanoTime() < deadline) {
        Actors.pace(50);
      }
      if (!lease.lost().toCompletableFuture().isDone()) {
        c.inc("refusedFromUnsignalledLease");
      }
    }
    c.expect("mutexViolations", 0, mutex.violationHistory().toString());
    c.expect("refusedFromUnsignalledLease", 0, "");
    c.expect("lossNotSignalled", 0, "");
    actors.crashes().forEach(t -> c.fail("holder thread crashed: " + t));
  }

  @Override
  public SoakResult result() {
    return c.result();
  }
}
