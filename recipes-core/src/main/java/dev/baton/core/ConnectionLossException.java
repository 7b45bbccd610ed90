package dev.baton.core;

/**
 * The client had no connection to the ensemble long enough for an operation to complete, and the
 * session may still be alive. The outcome of a write is unknown: it may have been applied. Recipes
 * that write find their own work again (for example by the unique id in a lock node's name) instead
 * of guessing.
 */
public final class ConnectionLossException extends BatonException {

  public ConnectionLossException(String detail, Throwable cause) {
    super(detail, cause);
  }
}
