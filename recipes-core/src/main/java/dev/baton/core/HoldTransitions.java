package dev.baton.core;

import java.util.Optional;

/**
 * The hold state machine as a pure function, so that it can be tested without a server.
 *
 * <p>Stateless.
 */
final class HoldTransitions {

  /** What happened to the hold's session or node. */
  enum Signal {
    /** The connection was suspended. */
    SUSPENDED,
    /** The same session is connected again and the server shows the node still owned by it. */
    CONFIRMED,
    /** The session or the node is gone (the reason travels beside the signal). */
    LOST,
    /** The owner gave the hold up. */
    RELEASED
  }

  private HoldTransitions() {}

  /**
   * The state after {@code signal}, or empty when the signal changes nothing in {@code current}.
   */
  static Optional<HoldState> next(HoldState current, Signal signal) {
    if (current.isTerminal()) {
      return Optional.empty();
    }
    return switch (signal) {
      case SUSPENDED ->
          current == HoldState.HELD ? Optional.of(HoldState.UNCERTAIN) : Optional.empty();
      case CONFIRMED ->
          current == HoldState.UNCERTAIN ? Optional.of(HoldState.HELD) : Optional.empty();
      case LOST -> Optional.of(HoldState.LOST);
      case RELEASED -> Optional.of(HoldState.RELEASED);
    };
  }
}
