package dev.baton.samples;

import dev.baton.core.Baton;
import dev.baton.core.Hold;
import dev.baton.core.HoldState;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZkPath;
import dev.baton.testkit.Backend;
import dev.baton.testkit.ClientProxy;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.CreateMode;

/**
 * The first Baton demo: a hold on an ephemeral node tells its owner the moment it may be gone
 * (UNCERTAIN), comes back when the same session reconnects (HELD), and is LOST for good when the
 * session expires; work bound to the dead session is refused instead of being replayed in the new
 * one.
 *
 * <p>Runs against an embedded 3-node ensemble (real ZooKeeper servers in this JVM) and prints a
 * summary. Returns exit code 1 if anything did not behave as promised.
 */
public final class Demo {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private final PrintStream out;
  private int checks;
  private int failures;

  Demo(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    int failed = new Demo(System.out).run();
    if (failed > 0) {
      System.exit(1);
    }
  }

  /** Runs the demo; returns the number of failed checks. */
  int run() throws Exception {
    say("Starting an embedded ZooKeeper ensemble of 3 servers (in-process quorum peers) ...");
    try (ZooKeeperEnsemble zk =
        ZooKeeperEnsemble.builder().size(3).backend(Backend.IN_PROCESS).start()) {
      say(
          "  serving at %s after %d ms, leader is server %d",
          zk.connectString(), zk.startTime().toMillis(), zk.leader());
      ClientProxy proxy = zk.newProxy();
      try (Baton baton =
          Baton.builder(proxy.connectString())
              .namespace("/demo")
              .sessionTimeout(Duration.ofSeconds(4))
              .connectionTimeout(Duration.ofSeconds(3))
              .build()) {
        Session session = baton.awaitSession(WAIT);
        say("Connected: session 0x%x (epoch %d)", session.id(), session.epoch());

        ZkPath node = ZkPath.of("/workers/worker-1");
        session
            .ensurePath(node.parent().orElseThrow(), CreateMode.PERSISTENT)
            .get(30, TimeUnit.SECONDS);
        session.create(node, new byte[0], CreateMode.EPHEMERAL).get(30, TimeUnit.SECONDS);
        Hold hold = session.hold(node).get(30, TimeUnit.SECONDS);
        hold.addListener(
            e ->
                say(
                    "    [listener] %s: %s -> %s%s",
                    e.path(), e.from(), e.to(), e.reason().map(r -> " (" + r + ")").orElse("")));
        check("hold on " + node + " starts HELD", hold.state() == HoldState.HELD);

        say("Cutting the client off from every server for a moment (a network blip) ...");
        proxy.cutOff();
        check("hold turns UNCERTAIN at once", waitFor(() -> hold.state() == HoldState.UNCERTAIN));
        proxy.heal();
        check(
            "hold is HELD again in the same session",
            waitFor(() -> hold.state() == HoldState.HELD)
                && baton.awaitSession(WAIT).id() == session.id());

        say("Expiring the session on the servers (as after a long partition) ...");
        zk.expireSession(baton);
        check("hold becomes LOST", waitFor(() -> hold.state() == HoldState.LOST));
        check("the client gets a new session", waitFor(() -> currentId(baton) != session.id()));
        Session fresh = baton.awaitSession(WAIT);
        say(
            "  new session 0x%x (epoch %d); the old one ended: %s",
            fresh.id(), fresh.epoch(), session.ended().toCompletableFuture().getNow(null));
        check(
            "the old session's node is gone", fresh.exists(node, Optional.empty()).get().isEmpty());

        say("Trying to write through the dead session ...");
        try {
          session.create(ZkPath.of("/workers/late"), new byte[0], CreateMode.EPHEMERAL).join();
          check("a write bound to the old session is refused", false);
        } catch (CompletionException e) {
          say("  refused: %s", e.getCause().getMessage());
          check(
              "a write bound to the old session is refused",
              e.getCause() instanceof SessionLostException);
        }
        check(
            "nothing was written in the new session",
            fresh.exists(ZkPath.of("/workers/late"), Optional.empty()).get().isEmpty());
      }
    }
    say("");
    say("Summary: %d checks, %d failed.", checks, failures);
    return failures;
  }

  private static long currentId(Baton baton) {
    return baton.currentSession().map(Session::id).orElse(0L);
  }

  private boolean waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  private void check(String what, boolean ok) {
    checks++;
    if (!ok) {
      failures++;
    }
    say("  %s %s", ok ? "ok  " : "FAIL", what);
  }

  private synchronized void say(String format, Object... args) {
    out.println(args.length == 0 ? format : String.format(format, args));
  }
}
