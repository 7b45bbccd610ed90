package dev.baton.cache;

/**
 * Settings of an {@link InvalidationChannel}.
 *
 * @param retainedEntries how many recent publishes stay on the channel: each publish deletes the
 *     entry {@code retainedEntries} positions older than itself. Must exceed the number of
 *     publishes a connected subscriber can fall behind by (it reads each entry after its event);
 *     default 1000
 */
public record InvalidationOptions(int retainedEntries) {

  /** Checks the settings. */
  public InvalidationOptions {
    if (retainedEntries < 1) {
      throw new IllegalArgumentException("retainedEntries must be at least 1: " + retainedEntries);
    }
  }

  /** 1000 retained entries. */
  public static InvalidationOptions defaults() {
    return new InvalidationOptions(1000);
  }

  /** A copy with {@code retainedEntries}. */
  public InvalidationOptions withRetainedEntries(int retainedEntries) {
    return new InvalidationOptions(retainedEntries);
  }
}
