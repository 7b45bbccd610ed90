package dev.baton.testkit;

/**
 * Something a {@link Soak} runs while it injects faults: lock holders, queue producers, a recipe of
 * your own. Plug one in with {@link Soak.Builder#workload}.
 *
 * <p>Lifecycle, called by the soak on one thread: {@link #start} before the first fault; {@link
 * #stop} after the quiet period that follows the last fault (stop the activity, let what must
 * settle settle, compare with the servers, close your own handles); {@link #result} once every
 * workload stopped and the soak closed every client made by {@link SoakContext#client}.
 */
public interface SoakWorkload {

  /** A short name for the report, unique within one soak. */
  String name();

  /**
   * Starts the workload's threads; returns at once. Connect through {@link SoakContext#client} so
   * that faults reach the workload's clients.
   *
   * @throws Exception if it cannot start; the soak then fails without injecting faults
   */
  void start(SoakContext context) throws Exception;

  /**
   * Stops the workload and settles it: waits for its threads, drains, checks convergence.
   *
   * @throws Exception if it cannot; reported as a failure of this workload
   */
  void stop() throws Exception;

  /** The workload's counters and the checks it failed; called after {@link #stop}. */
  SoakResult result();
}
