package dev.baton.core;

/**
 * Baton's own meters, behind an interface so that Micrometer stays an optional dependency: the
 * Micrometer implementation is loaded only when the user passed a registry.
 *
 * <p>Implementations are thread-safe.
 */
interface Metrics {

  Metrics NOOP =
      new Metrics() {
        @Override
        public void connectionState(String state) {}

        @Override
        public void holdLost(LossReason reason) {}

        @Override
        public void holdsActive(int delta) {}
      };

  /** Counts a connection state change (suspended, reconnected, lost, new-session). */
  void connectionState(String state);

  /** Counts a lost hold. */
  void holdLost(LossReason reason);

  /** Moves the active-holds gauge. */
  void holdsActive(int delta);
}
