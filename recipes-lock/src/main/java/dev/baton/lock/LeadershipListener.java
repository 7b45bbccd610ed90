package dev.baton.lock;

/**
 * Told of every {@link LeadershipEvent} of one {@link LeaderElection}, in order, on the executor it
 * was registered with (by default the client's listener executor), never on a thread that holds a
 * Baton lock. An exception it throws goes to the client's {@link dev.baton.core.ErrorHandler}; the
 * next event is still delivered.
 */
@FunctionalInterface
public interface LeadershipListener {

  void leadershipChanged(LeadershipEvent event);
}
