package dev.baton.samples;

import dev.baton.core.Baton;
import dev.baton.core.Hold;
import dev.baton.core.HoldState;
import dev.baton.core.Session;
import dev.baton.core.SessionLostException;
import dev.baton.core.ZkPath;
import dev.baton.testkit.ClientProxy;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;

/**
 * A hold on an ephemeral node tells its owner the moment it may be gone (UNCERTAIN), comes back
 * when the same session reconnects (HELD), and is LOST for good when the session expires; work
 * bound to the dead session is refused instead of being replayed in the new one. (The network blip
 * needs the embedded ensemble, which puts a proxy in front of it; with {@code --connect} it is
 * skipped.)
 *
 * <p>Run alone: {@code java ... dev.baton.samples.HoldScenario [--connect host:port,...]}.
 */
public final class HoldScenario {

  private HoldScenario() {}

  public static void main(String[] args) throws Exception {
    try (SampleRun run =
        SampleRun.open("Holds: told at once, never silently moved", args, System.out)) {
      run(run);
      System.exit(run.report() == 0 ? 0 : 1);
    }
  }

  static void run(SampleRun run) throws Exception {
    Optional<ClientProxy> proxy = run.embedded().map(zk -> zk.newProxy());
    Baton baton = proxy.isPresent() ? run.client(proxy.get().connectString()) : run.client();
    Session session = baton.awaitSession(SampleRun.WAIT);
    run.say("Connected: session 0x%x (epoch %d)", session.id(), session.epoch());
    ZkPath node = ZkPath.of("/workers/worker-" + System.nanoTime());
    session
        .ensurePath(node.parent().orElseThrow(), CreateMode.PERSISTENT)
        .get(30, TimeUnit.SECONDS);
    session.create(node, new byte[0], CreateMode.EPHEMERAL).get(30, TimeUnit.SECONDS);
    Hold hold = session.hold(node).get(30, TimeUnit.SECONDS);
    hold.addListener(
        e ->
            run.say(
                "    [listener] %s -> %s%s",
                e.from(), e.to(), e.reason().map(r -> " (" + r + ")").orElse("")));
    run.check("the hold starts HELD", hold.state() == HoldState.HELD);

    if (proxy.isPresent()) {
      run.say("Cutting the client off from every server for a moment (a network blip) ...");
      proxy.get().cutOff();
      run.check(
          "the hold turns UNCERTAIN at once",
          run.waitFor(() -> hold.state() == HoldState.UNCERTAIN));
      proxy.get().heal();
      run.check(
          "the hold is HELD again, in the same session",
          run.waitFor(() -> hold.state() == HoldState.HELD)
              && baton.awaitSession(SampleRun.WAIT).id() == session.id());
    }

    run.say("Ending the session on the servers (as after a long partition) ...");
    run.expire(baton);
    run.check("the hold becomes LOST", run.waitFor(() -> hold.state() == HoldState.LOST));
    run.check(
        "the client gets a new session",
        run.waitFor(() -> baton.currentSession().map(Session::id).orElse(0L) != session.id()));
    Session fresh = baton.awaitSession(SampleRun.WAIT);
    run.check(
        "the old session's node is gone", fresh.exists(node, Optional.empty()).get().isEmpty());
    ZkPath late = node.parent().orElseThrow().child("late-" + System.nanoTime());
    try {
      session.create(late, new byte[0], CreateMode.EPHEMERAL).join();
      run.check("a write bound to the old session is refused", false);
    } catch (CompletionException e) {
      run.say("  refused: %s", e.getCause().getMessage());
      run.check(
          "a write bound to the old session is refused",
          e.getCause() instanceof SessionLostException);
    }
    run.check(
        "nothing was written in the new session",
        fresh.exists(late, Optional.empty()).get().isEmpty());
  }
}
