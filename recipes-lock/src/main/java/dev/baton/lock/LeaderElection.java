package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.core.HoldState;
import dev.baton.core.ZkPath;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Leader election on ZooKeeper: each participant contends for the {@link DistributedLock} at the
 * election's path and leads while it holds it.
 *
 * <pre>{@code
 * LeaderElection election = LeaderElection.create(baton, "/elections/billing", "worker-7");
 * election.addListener(event -> {
 *   if (event instanceof LeadershipEvent.Elected || event instanceof LeadershipEvent.Reconfirmed) {
 *     work.lead(event.leadership());  // downstream writes carry leadership.fencingToken()
 *   } else {
 *     work.stop();                    // Uncertain, Lost, Resigned: stop acting as leader now
 *   }
 * });
 * election.start();
 * ...
 * election.close();                   // resigns if leading, leaves the election
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * At most one participant's {@link Leadership} is {@link HoldState#HELD} at a time, across all
 * clients: it is a lease of the election's lock (see {@link DistributedLock}). Participants are
 * elected in the order they contended; contending parks no thread. {@link #leader()} names the
 * leader as the servers show it.
 *
 * <h2>Ownership</h2>
 *
 * A leadership is bound to one ZooKeeper session and one node ({@link Leadership}). One object is
 * one participant; two objects on the same path, in one client or not, are two participants.
 *
 * <h2>Loss</h2>
 *
 * UNCERTAIN at once when the connection is suspended, LOST when the session expires or is replaced
 * or the node is deleted (see {@link LeadershipEvent}). After a loss or a resign, a started
 * election contends again at once, in the current session or the next one: the participant may lead
 * again later, but as a <em>new</em> leadership with a new, larger fencing token and its own {@link
 * LeadershipEvent.Elected} event; an old leadership never becomes HELD again.
 *
 * <p>Limit: a leader whose session the servers end while it is still connected (a pause longer than
 * the session timeout, an operator closing the session) cannot be told before its node is deleted:
 * it learns from the closed connection at about the time the next participant learns from the
 * deletion, and nothing guarantees it learns first. In the fault soak, with Baton's Netty
 * connection, it did every time (9 of 9 in 30 minutes); with ZooKeeper's NIO client, which sleeps
 * 100 ms before reporting a closed connection, the next leader was elected first in 3 of 7, by up
 * to 99 ms. A paused process may act on stale leadership for as long as it does not run its event
 * threads. Only fencing protects then. A leader that is cut off or partitioned is told UNCERTAIN
 * long before anyone else can be elected.
 *
 * <h2>Reentrancy</h2>
 *
 * None: {@link #start()} once; at most one leadership per participant at a time.
 *
 * <h2>Fencing</h2>
 *
 * {@link Leadership#fencingToken()} strictly increases across the leaderships of this election
 * (also the re-elections of one participant). Pass it downstream; use {@link
 * Leadership#guardedWrite()} for ZooKeeper writes.
 *
 * <h2>Thread-safety</h2>
 *
 * Thread-safe: a lifecycle enum moved by CAS and one internal lock that orders the contention, the
 * leadership and its events. Listeners run on their executors in order, never under that lock.
 */
public final class LeaderElection implements AutoCloseable {

  private static final int MAX_PARTICIPANT_ID_BYTES = 1024;

  private final Baton baton;
  private final DistributedLock lock;
  private final String participantId;
  private final Candidacy candidacy;

  private LeaderElection(Baton baton, DistributedLock lock, String participantId) {
    this.baton = baton;
    this.lock = lock;
    this.participantId = participantId;
    this.candidacy =
        new Candidacy(this, baton, lock, participantId.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * An election at {@code path} for one participant; see {@link #create(Baton, ZkPath, String)}.
   */
  public static LeaderElection create(Baton baton, String path, String participantId) {
    return create(baton, ZkPath.of(path), participantId);
  }

  /**
   * An election at {@code path} (relative to the client's namespace) for the participant {@code
   * participantId}, which {@link #leader()} reports. Nothing is written until {@link #start()}.
   *
   * @throws IllegalArgumentException if the path is the root, or the id is blank or longer than
   *     1024 bytes in UTF-8
   */
  public static LeaderElection create(Baton baton, ZkPath path, String participantId) {
    Objects.requireNonNull(baton, "baton");
    Objects.requireNonNull(path, "path");
    if (path.isRoot()) {
      throw new IllegalArgumentException("a leader election cannot live at the root path '/'");
    }
    if (participantId == null || participantId.isBlank()) {
      throw new IllegalArgumentException(
          "participant id for election "
              + path
              + " must not be blank, got '"
              + participantId
              + "'");
    }
    int bytes = participantId.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_PARTICIPANT_ID_BYTES) {
      throw new IllegalArgumentException(
          "participant id for election " + path + " is " + bytes + " bytes, at most 1024 allowed");
    }
    return new LeaderElection(baton, DistributedLock.create(baton, path), participantId);
  }

  /** The election's path. */
  public ZkPath path() {
    return lock.path();
  }

  /** This participant's id. */
  public String participantId() {
    return participantId;
  }

  /**
   * Starts contending; returns at once. Listeners added before are told every event.
   *
   * @throws IllegalStateException if already started or closed, or if the client is closed
   */
  public void start() {
    if (baton.isClosed()) {
      throw new IllegalStateException("cannot start election " + path() + ": client is closed");
    }
    candidacy.start();
  }

  /** Whether this participant leads now: its leadership is HELD. */
  public boolean isLeader() {
    return candidacy.current().filter(l -> l.state() == HoldState.HELD).isPresent();
  }

  /** This participant's leadership while it is HELD or UNCERTAIN. */
  public Optional<Leadership> currentLeadership() {
    return candidacy.current();
  }

  /**
   * The id of the participant that leads as the servers show it now (the first contender), also one
   * whose session is ending and which may already know it lost; empty when nobody contends.
   *
   * @throws InterruptedException if interrupted while asking
   */
  public Optional<String> leader() throws InterruptedException {
    return Futures.await(leaderAsync());
  }

  /** {@link #leader()} without blocking. */
  public CompletableFuture<Optional<String>> leaderAsync() {
    return new LeaderQuery(baton, path()).run();
  }

  /** Adds a listener run on the client's listener executor, in order. */
  public void addListener(LeadershipListener listener) {
    addListener(listener, baton.listenerExecutor());
  }

  /**
   * Adds a listener run on {@code executor}, in order. Added while this participant leads, it is
   * told {@link LeadershipEvent.Elected} (and {@link LeadershipEvent.Uncertain}, if so) at once.
   */
  public void addListener(LeadershipListener listener, Executor executor) {
    candidacy.addListener(
        Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(executor, "executor"));
  }

  /**
   * Leaves the election: stops contending (our waiting node is removed), resigns if leading (our
   * node is deleted, listeners are told {@link LeadershipEvent.Resigned}). Returns without waiting
   * for the deletes, which survive a connection loss. Idempotent.
   */
  @Override
  public void close() {
    candidacy.close();
  }

  @Override
  public String toString() {
    return "LeaderElection[" + path() + ", '" + participantId + "', " + candidacy + "]";
  }
}
