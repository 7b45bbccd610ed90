package dev.baton.lock;

import dev.baton.core.HoldState;
import dev.baton.testkit.FencedResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread per participant that, while the participant leads (HELD), writes its fencing token to
 * a shared {@link FencedResource}, and records the writes the resource refused.
 */
final class FencedWriters implements AutoCloseable {

  /**
   * A write the resource refused: who tried it, with which token, and when it looked at its
   * leadership before deciding to write.
   */
  record Refused(ElectionParticipant by, long token, long decidedAtNanos) {}

  final AtomicBoolean stop = new AtomicBoolean();
  final List<Thread> threads = new ArrayList<>();
  final List<Refused> refused = new CopyOnWriteArrayList<>();

  FencedWriters(List<ElectionParticipant> ps, FencedResource resource) {
    for (ElectionParticipant p : ps) {
      Thread t =
          new Thread(
              () -> {
                for (int n = 0; !stop.get(); n++) {
                  long decidedAt = System.nanoTime(); // before the check: a check-then-act writer
                  Optional<Leadership> l = p.election.currentLeadership();
                  if (l.isPresent() && l.get().state() == HoldState.HELD) {
                    long token = l.get().fencingToken();
                    if (!resource.write(token, p.id, p.id + "#" + n)) {
                      refused.add(new Refused(p, token, decidedAt));
                    }
                  }
                  LockSupport.parkNanos(200_000); // pacing only
                }
              },
              "writer-" + p.id);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  /** Stops the writers and waits for them (up to 10 s each). */
  @Override
  public void close() {
    stop.set(true);
    try {
      for (Thread t : threads) {
        t.join(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
