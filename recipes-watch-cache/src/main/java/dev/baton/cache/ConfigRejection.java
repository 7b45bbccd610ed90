package dev.baton.cache;

import dev.baton.core.CodecException;
import dev.baton.core.ZkPath;
import java.util.Objects;

/**
 * A config write that failed to decode or to validate; the last good value stayed in force.
 *
 * @param path the config node
 * @param mzxid the rejected write
 * @param version the node's data version at that write
 * @param data the rejected bytes
 * @param error why (the codec's failure as its cause, or the validator's message)
 */
public record ConfigRejection(
    ZkPath path, long mzxid, int version, Payload data, CodecException error) {

  /** Checks the components. */
  public ConfigRejection {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(error, "error");
  }
}
