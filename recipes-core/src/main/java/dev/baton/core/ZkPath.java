package dev.baton.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An absolute ZooKeeper path, checked when it is made so that a bad path is rejected before
 * anything is written.
 *
 * <p>Rules (ZooKeeper's, stated up front): starts with {@code /}; no trailing {@code /} except the
 * root; no empty segment ({@code //}); no {@code .} or {@code ..} segment; no NUL, no control
 * characters {@code U+0001-U+001F} and {@code U+007F-U+009F}, no {@code U+D800-U+F8FF} and no
 * {@code U+FFF0-U+FFFF}. Each rejection names the path and what is wrong with it.
 *
 * <p>Paths are relative to the client's namespace (chroot) when the client has one: {@code
 * /locks/a} on a client with namespace {@code app} is {@code /app/locks/a} on the server.
 *
 * <p>Immutable and thread-safe.
 */
public final class ZkPath implements Comparable<ZkPath> {

  private static final ZkPath ROOT = new ZkPath("/");

  private final String value;

  private ZkPath(String value) {
    this.value = value;
  }

  /**
   * Parses an absolute path.
   *
   * @throws IllegalArgumentException naming the path and the rule it breaks
   */
  public static ZkPath of(String path) {
    if (path == null) {
      throw new IllegalArgumentException("ZooKeeper path must not be null");
    }
    if (path.equals("/")) {
      return ROOT;
    }
    String problem = problemWith(path);
    if (problem != null) {
      throw new IllegalArgumentException(
          "invalid ZooKeeper path '" + printable(path) + "': " + problem);
    }
    return new ZkPath(path);
  }

  /** The root path {@code /}. */
  public static ZkPath root() {
    return ROOT;
  }

  /**
   * The child of this path with the given single segment name.
   *
   * @throws IllegalArgumentException if the name is empty, contains {@code /}, is {@code .}/{@code
   *     ..} or has illegal characters; the message names the resulting path
   */
  public ZkPath child(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("child name of '" + value + "' must not be empty");
    }
    if (name.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "child name '" + printable(name) + "' of '" + value + "' must be one segment (no '/')");
    }
    return of(isRoot() ? "/" + name : value + "/" + name);
  }

  /** Resolves a relative path of one or more segments ({@code "a/b"}) against this path. */
  public ZkPath resolve(String relative) {
    if (relative == null || relative.isEmpty() || relative.startsWith("/")) {
      throw new IllegalArgumentException(
          "relative path '"
              + relative
              + "' under '"
              + value
              + "' must be non-empty and not start with '/'");
    }
    return of(isRoot() ? "/" + relative : value + "/" + relative);
  }

  /** The parent, or empty for the root. */
  public Optional<ZkPath> parent() {
    if (isRoot()) {
      return Optional.empty();
    }
    int slash = value.lastIndexOf('/');
    return Optional.of(slash == 0 ? ROOT : new ZkPath(value.substring(0, slash)));
  }

  /** The last segment ({@code "b"} for {@code /a/b}); empty string for the root. */
  public String name() {
    return value.substring(value.lastIndexOf('/') + 1);
  }

  /** The segments from the root down; empty for the root. */
  public List<String> segments() {
    if (isRoot()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String s : value.substring(1).split("/", -1)) {
      out.add(s);
    }
    return Collections.unmodifiableList(out);
  }

  /** Whether this is {@code /}. */
  public boolean isRoot() {
    return this == ROOT || value.equals("/");
  }

  /** Whether {@code other} is this path or lies under it. */
  public boolean contains(ZkPath other) {
    return isRoot() || other.value.equals(value) || other.value.startsWith(value + "/");
  }

  /** The path as ZooKeeper spells it. */
  @Override
  public String toString() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ZkPath p && p.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public int compareTo(ZkPath o) {
    return value.compareTo(o.value);
  }

  /** Why the (non-root) path is invalid, or null when it is fine. */
  static String problemWith(String path) {
    if (path.isEmpty()) {
      return "empty (a path starts with '/')";
    }
    if (path.charAt(0) != '/') {
      return "relative (a path starts with '/')";
    }
    if (path.charAt(path.length() - 1) == '/') {
      return "trailing '/'";
    }
    int segmentStart = 1;
    for (int i = 1; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        String segment = path.substring(segmentStart, i);
        if (segment.isEmpty()) {
          return "empty segment at index " + i;
        }
        if (segment.equals(".") || segment.equals("..")) {
          return "relative segment '" + segment + "' at index " + segmentStart;
        }
        segmentStart = i + 1;
        continue;
      }
      char c = path.charAt(i);
      if (c == 0) {
        return "NUL character at index " + i;
      }
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) {
        return String.format("illegal character U+%04X at index %d", (int) c, i);
      }
    }
    return null;
  }

  /** Makes control characters visible in error messages. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
