package dev.baton.cache;

import dev.baton.core.Session;
import dev.baton.core.ZkPath;
import dev.baton.testkit.ZooKeeperEnsemble;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** What the servers hold, read for assertions: watches (four-letter words) and subtrees. */
final class Servers {

  private Servers() {}

  /**
   * The data watches the servers hold for one session, from the {@code wchc} four-letter word
   * (watches by session) of every serving server, on 127.0.0.1.
   */
  static int watchesOf(ZooKeeperEnsemble zk, long sessionId) {
    String header = "0x" + Long.toHexString(sessionId);
    int count = 0;
    for (int id = 1; id <= zk.size(); id++) {
      if (!zk.isServing(id)) {
        continue;
      }
      boolean mine = false;
      for (String line : fourLetterWord(zk.clientPorts().get(id - 1), "wchc").split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        if (!Character.isWhitespace(line.charAt(0))) {
          mine = line.trim().equals(header);
        } else if (mine) {
          count++;
        }
      }
    }
    return count;
  }

  static String fourLetterWord(int port, String word) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("four-letter word " + word + " on port " + port, e);
    }
  }

  /** The subtree as the server holds it: path to (czxid, mzxid, data). */
  static Map<ZkPath, String> subtree(Session s, ZkPath root) throws Exception {
    return describe(SubtreeLoader.load(s, root, Integer.MAX_VALUE).get(60, TimeUnit.SECONDS));
  }

  /** The same description of a cache's contents. */
  static Map<ZkPath, String> describe(Map<ZkPath, CachedNode> nodes) {
    Map<ZkPath, String> out = new TreeMap<>();
    nodes.forEach((p, n) -> out.put(p, n.czxid() + "/" + n.mzxid() + "/" + n.data().utf8()));
    return out;
  }
}
