package dev.baton.core;

/**
 * Told of every state change of a {@link Hold}, in order, on the executor it was registered with
 * (never on a thread that holds a Baton lock). An exception it throws goes to the client's {@link
 * ErrorHandler}.
 */
@FunctionalInterface
public interface HoldListener {

  void stateChanged(HoldEvent event);
}
