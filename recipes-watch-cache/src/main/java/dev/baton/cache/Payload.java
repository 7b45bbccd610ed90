package dev.baton.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A node's data as the cache read it: immutable bytes (every accessor copies), so events and
 * snapshots can be shared between listeners safely.
 *
 * <p>Immutable.
 */
public final class Payload {

  private static final Payload EMPTY = new Payload(new byte[0]);

  private final byte[] bytes;

  private Payload(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A payload holding a copy of {@code bytes} (empty for null). */
  public static Payload of(byte[] bytes) {
    return bytes == null || bytes.length == 0 ? EMPTY : new Payload(bytes.clone());
  }

  /** A copy of the bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The number of bytes. */
  public int size() {
    return bytes.length;
  }

  /** The bytes as UTF-8 text (malformed input replaced, for display). */
  public String utf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Payload p && Arrays.equals(p.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Payload[" + bytes.length + " bytes]";
  }
}
