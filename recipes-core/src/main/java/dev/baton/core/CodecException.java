package dev.baton.core;

/**
 * A {@link Codec} could not encode or decode a value. When encoding fails nothing has been written;
 * when decoding fails the recipe says what it does with the bytes (a queue dead-letters the item, a
 * config subscription keeps its last good value).
 */
public final class CodecException extends BatonException {

  /**
   * @param message what was being encoded or decoded, and where
   * @param cause the codec's own failure, or null
   */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
