package dev.baton.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free 127.0.0.1 ports for servers. They are chosen below the kernel's ephemeral range (which
 * starts at 32768 here) so that an outgoing client connection cannot take one between "found free"
 * and "bound by the server"; ports handed out in this JVM are remembered until released so that two
 * ensembles never get the same one.
 *
 * <p>Thread-safe (a concurrent set of reserved ports).
 */
final class Ports {

  static final int LOW = 20_000;
  static final int HIGH = 32_000;

  private static final Set<Integer> RESERVED = ConcurrentHashMap.newKeySet();

  private Ports() {}

  /** Reserves {@code count} distinct free ports. */
  static List<Integer> reserve(int count) {
    List<Integer> out = new ArrayList<>(count);
    int attempts = 0;
    while (out.size() < count) {
      if (++attempts > 10_000) {
        release(out);
        throw new IllegalStateException("no free 127.0.0.1 port found in " + LOW + "-" + HIGH);
      }
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      if (isFree(port) && RESERVED.add(port)) {
        out.add(port);
      }
    }
    return out;
  }

  /** Gives ports back. */
  static void release(Collection<Integer> ports) {
    RESERVED.removeAll(ports);
  }

  /**
   * Whether a listener could bind 127.0.0.1:port right now. With SO_REUSEADDR, as ZooKeeper's own
   * listeners bind: a port held only by connections in TIME_WAIT is free, a port with a live
   * listener is not.
   */
  static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
