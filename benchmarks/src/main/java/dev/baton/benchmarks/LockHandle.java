package dev.baton.benchmarks;

import dev.baton.core.Baton;
import dev.baton.lock.DistributedLock;
import dev.baton.lock.LockLease;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;

/**
 * One contender of a mutex, blocking, used the way each library documents it. Confined to one
 * thread: Curator's {@link InterProcessMutex} must be released by the thread that acquired it.
 */
interface LockHandle {

  /** Blocks until granted (fails after {@link Env#LONG}). */
  void acquire() throws Exception;

  /** Releases; returns once the lock node is deleted (both libraries, for equal work). */
  void release() throws Exception;

  static LockHandle of(Sys sys, Object client, String path) {
    return switch (sys) {
      case BATON -> new BatonMutex(DistributedLock.create((Baton) client, path));
      case CURATOR -> new CuratorMutex(new InterProcessMutex((CuratorFramework) client, path));
      case ZOOKEEPER -> throw new IllegalArgumentException("no lock recipe in the plain client");
    };
  }

  /** Baton's mutex; release waits for the delete like Curator's release does. */
  final class BatonMutex implements LockHandle {
    private final DistributedLock lock;
    private LockLease lease;

    BatonMutex(DistributedLock lock) {
      this.lock = lock;
    }

    @Override
    public void acquire() throws InterruptedException {
      lease = lock.acquire(Env.LONG);
    }

    @Override
    public void release() throws Exception {
      LockLease l = lease;
      lease = null;
      l.release().get(Env.LONG.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** Curator's InterProcessMutex. */
  final class CuratorMutex implements LockHandle {
    private final InterProcessMutex mutex;

    CuratorMutex(InterProcessMutex mutex) {
      this.mutex = mutex;
    }

    @Override
    public void acquire() throws Exception {
      if (!mutex.acquire(Env.LONG.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("InterProcessMutex not acquired within " + Env.LONG);
      }
    }

    @Override
    public void release() throws Exception {
      mutex.release();
    }
  }
}
