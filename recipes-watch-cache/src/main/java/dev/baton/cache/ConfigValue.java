package dev.baton.cache;

import java.util.Objects;

/**
 * A decoded, validated config value and the node write it came from.
 *
 * @param value the value
 * @param czxid the incarnation of the config node
 * @param mzxid the write that produced it (increases with every newer value)
 * @param version the node's data version at that write
 * @param <T> the value type
 */
public record ConfigValue<T>(T value, long czxid, long mzxid, int version) {

  /** Checks the components. */
  public ConfigValue {
    Objects.requireNonNull(value, "value");
  }
}
