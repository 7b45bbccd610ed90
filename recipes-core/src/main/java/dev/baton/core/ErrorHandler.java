package dev.baton.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives failures that have no caller to throw to: exceptions thrown by user listeners and
 * failures of background work. Nothing Baton catches is dropped silently; the default handler logs
 * at WARN.
 *
 * <p>Implementations must be thread-safe and must not block for long.
 */
@FunctionalInterface
public interface ErrorHandler {

  /**
   * @param context what was running, naming the path where there is one (for example "listener of
   *     hold /locks/a")
   * @param error what it threw
   */
  void handle(String context, Throwable error);

  /** Logs each failure at WARN on logger {@code dev.baton}. */
  static ErrorHandler logging() {
    Logger log = LoggerFactory.getLogger("dev.baton");
    return (context, error) -> log.warn("{} failed", context, error);
  }
}
