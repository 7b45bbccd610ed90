package dev.baton.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The jars a ZooKeeper server ({@code QuorumPeerMain}) needs, taken from the test's own class path
 * so that the servers run exactly the ZooKeeper version the tests compile against. Surefire's
 * manifest-only jar is expanded.
 *
 * <p>Only the server's own dependencies are kept (by jar name), so containers get a few MB copied
 * in, not the whole test class path. Netty's tcnative jars (OpenSSL, several platforms) are left
 * out: the server uses the JDK's TLS.
 *
 * <p>Immutable once computed; computed once per JVM.
 */
final class ServerClasspath {

  private static final List<String> SERVER_JAR_PREFIXES =
      List.of(
          "zookeeper-",
          "slf4j-api-",
          "slf4j-simple-",
          "logback-classic-",
          "logback-core-",
          "metrics-core-",
          "snappy-java-",
          "commons-cli-",
          "commons-io-",
          "audience-annotations-",
          "netty-");

  private static volatile List<Path> jars;

  private ServerClasspath() {}

  /** The server jars, in class path order. */
  static List<Path> jars() {
    List<Path> j = jars;
    if (j == null) {
      j = List.copyOf(compute(classPathEntries()));
      jars = j;
    }
    return j;
  }

  /**
   * {@code java.class.path}, plus the URLs of the class loaders that loaded this class (tools such
   * as {@code mvn exec:java} and some IDE runners load the application through a URLClassLoader,
   * and then {@code java.class.path} only names the tool's launcher).
   */
  static String classPathEntries() {
    Set<String> entries = new LinkedHashSet<>();
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      entries.add(e);
    }
    for (ClassLoader l = ServerClasspath.class.getClassLoader(); l != null; l = l.getParent()) {
      if (l instanceof URLClassLoader u) {
        for (URL url : u.getURLs()) {
          if ("file".equals(url.getProtocol())) {
            try {
              entries.add(Path.of(url.toURI()).toString());
            } catch (URISyntaxException | IllegalArgumentException e) {
              // not a plain file URL: not a jar a server process could use
            }
          }
        }
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /** The jars joined for {@code java -cp}. */
  static String asArgument() {
    return String.join(File.pathSeparator, jars().stream().map(Path::toString).toList());
  }

  static List<Path> compute(String classPath) {
    Set<Path> all = new LinkedHashSet<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        expand(Path.of(entry).toAbsolutePath().normalize(), all);
      }
    }
    List<Path> out = new ArrayList<>();
    for (Path p : all) {
      String name = p.getFileName().toString();
      if (name.endsWith(".jar")
          && !name.startsWith("netty-tcnative")
          && SERVER_JAR_PREFIXES.stream().anyMatch(name::startsWith)) {
        out.add(p);
      }
    }
    if (out.stream().noneMatch(p -> p.getFileName().toString().startsWith("zookeeper-jute"))) {
      throw new IllegalStateException(
          "ZooKeeper's server jars are not on the class path (looked for zookeeper-*.jar in "
              + all.size()
              + " entries): add org.apache.zookeeper:zookeeper to the test dependencies");
    }
    return out;
  }

  /**
   * Adds a class path entry and, for a jar with a manifest Class-Path (surefire's booter), what it
   * names.
   */
  private static void expand(Path entry, Set<Path> into) {
    if (!into.add(entry) || !Files.isRegularFile(entry) || !entry.toString().endsWith(".jar")) {
      return;
    }
    try (JarFile jar = new JarFile(entry.toFile())) {
      Manifest m = jar.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
      if (cp == null) {
        return;
      }
      for (String ref : cp.trim().split("\\s+")) {
        if (ref.isEmpty()) {
          continue;
        }
        Path p =
            ref.startsWith("file:") ? Path.of(URI.create(ref)) : entry.getParent().resolve(ref);
        expand(p.toAbsolutePath().normalize(), into);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the manifest of " + entry, e);
    }
  }
}
