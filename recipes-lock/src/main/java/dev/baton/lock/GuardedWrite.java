package dev.baton.lock;

import dev.baton.core.AclProvider;
import dev.baton.core.Hold;
import dev.baton.core.HoldLostException;
import dev.baton.core.LossReason;
import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.core.ZooKeeperOperationException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;

/**
 * ZooKeeper writes that commit together with a check that the lease's lock node still exists (every
 * lock node, for a {@link MultiLease}), in one multi-op: if a lock was lost (its node is gone),
 * nothing is written and {@link #commit()} throws {@link HoldLostException} naming that node. A
 * node's name is unique to one acquisition, so its existence proves the grant is still ours.
 *
 * <p>Not thread-safe: build and commit on one thread. Paths are relative to the client's namespace.
 */
public final class GuardedWrite {

  private final List<Hold> holds;
  private final Session session;
  private final AclProvider acls;
  private final List<Op> ops = new ArrayList<>();

  GuardedWrite(Hold hold, AclProvider acls) {
    this(List.of(hold), acls);
  }

  /**
   * Guards with every hold in {@code holds}; they must share one session (a multi-op runs in one).
   */
  GuardedWrite(List<Hold> holds, AclProvider acls) {
    if (holds.isEmpty()) {
      throw new IllegalArgumentException("a guarded write needs at least one hold");
    }
    this.holds = List.copyOf(holds);
    this.session = holds.get(0).session();
    this.acls = acls;
    for (Hold h : this.holds) {
      if (h.session() != session) {
        throw new IllegalArgumentException(
            "holds of one guarded write must share a session: " + h + " is not in " + session);
      }
    }
  }

  /** Creates a node with the client's ACL. */
  public GuardedWrite create(ZkPath path, byte[] data, CreateMode mode) {
    ops.add(Op.create(session.serverPath(path), data.clone(), acls.aclFor(path), mode));
    return this;
  }

  /** Sets a node's data whatever its version. */
  public GuardedWrite setData(ZkPath path, byte[] data) {
    return setData(path, data, -1);
  }

  /** Sets a node's data if it is at {@code version}. */
  public GuardedWrite setData(ZkPath path, byte[] data, int version) {
    ops.add(Op.setData(session.serverPath(path), data.clone(), version));
    return this;
  }

  /** Deletes a node whatever its version. */
  public GuardedWrite delete(ZkPath path) {
    return delete(path, -1);
  }

  /** Deletes a node if it is at {@code version}. */
  public GuardedWrite delete(ZkPath path, int version) {
    ops.add(Op.delete(session.serverPath(path), version));
    return this;
  }

  /** Requires a node to be at {@code version} (-1: to exist). */
  public GuardedWrite check(ZkPath path, int version) {
    ops.add(Op.check(session.serverPath(path), version));
    return this;
  }

  /**
   * Commits atomically with the lock checks.
   *
   * @return the results of the added ops (the lock checks' results left out)
   * @throws HoldLostException if a lock node is gone (the exception names it), or the session is
   *     over
   * @throws ZooKeeperOperationException if one of the added ops was refused
   */
  public List<OpResult> commit() throws InterruptedException {
    return Futures.await(commitAsync());
  }

  /** {@link #commit()} without blocking. */
  public CompletableFuture<List<OpResult>> commitAsync() {
    if (ops.isEmpty()) {
      throw new IllegalStateException("guarded write on " + guarded() + " has no operations");
    }
    List<Op> all = new ArrayList<>(holds.size() + ops.size());
    holds.forEach(h -> all.add(Op.check(session.serverPath(h.path()), -1)));
    all.addAll(ops);
    return session
        .multi(all)
        .handle(
            (results, error) -> {
              if (error == null) {
                return List.copyOf(results.subList(holds.size(), results.size()));
              }
              throw new CompletionException(translate(Futures.unwrap(error)));
            });
  }

  private RuntimeException translate(Throwable error) {
    if (error instanceof ZooKeeperOperationException z) {
      List<OpResult> results = z.multiResults();
      for (int i = 0; i < Math.min(holds.size(), results.size()); i++) {
        if (results.get(i) instanceof OpResult.ErrorResult r
            && r.getErr() == KeeperException.Code.NONODE.intValue()) {
          return new HoldLostException(
              holds.get(i).path(),
              LossReason.NODE_DELETED,
              "guarded write refused: the lock node is gone");
        }
      }
    }
    if (error instanceof dev.baton.core.SessionLostException s) {
      return new HoldLostException(
          holds.get(0).path(),
          LossReason.SESSION_EXPIRED,
          "guarded write refused: " + s.getMessage());
    }
    return error instanceof RuntimeException r ? r : new IllegalStateException(error);
  }

  private Object guarded() {
    return holds.size() == 1 ? holds.get(0).path() : holds.stream().map(Hold::path).toList();
  }
}
