package dev.baton.cache;

/**
 * Settings of a {@link TreeCache}.
 *
 * @param maxDepth how many levels below the root are cached: 0 caches the root only, 1 its
 *     children, and so on; the default is unlimited ({@link Integer#MAX_VALUE}). Deeper nodes are
 *     not read, though the server still sends their events (the watch is recursive)
 */
public record CacheOptions(int maxDepth) {

  /** Checks the settings. */
  public CacheOptions {
    if (maxDepth < 0) {
      throw new IllegalArgumentException("maxDepth must not be negative: " + maxDepth);
    }
  }

  /** Unlimited depth. */
  public static CacheOptions defaults() {
    return new CacheOptions(Integer.MAX_VALUE);
  }

  /** A copy with {@code maxDepth} levels below the root. */
  public CacheOptions withMaxDepth(int maxDepth) {
    return new CacheOptions(maxDepth);
  }
}
