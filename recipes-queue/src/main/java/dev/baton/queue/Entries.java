package dev.baton.queue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The data formats of queue nodes. An item node holds one or more encoded items (a {@code putAll}
 * batch is one node); a dead-letter node holds one item with the reason and the attempts.
 *
 * <pre>
 *   item node:   0xB7 1 | count:int | (length:int bytes)*
 *   dead letter: 0xD7 1 | itemId:UTF | reason:UTF | attempts:int | length:int bytes
 * </pre>
 *
 * <p>Stateless.
 */
final class Entries {

  private static final int ITEM_MAGIC = 0xB7;
  private static final int DEAD_MAGIC = 0xD7;
  private static final int VERSION = 1;

  /** Bytes of framing per node and per entry, for size checks before encoding. */
  static final int NODE_OVERHEAD = 6;

  static final int ENTRY_OVERHEAD = 4;

  private Entries() {}

  static byte[] encodeItems(List<byte[]> items) {
    int size = NODE_OVERHEAD;
    for (byte[] b : items) {
      size += ENTRY_OVERHEAD + b.length;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(ITEM_MAGIC);
      out.writeByte(VERSION);
      out.writeInt(items.size());
      for (byte[] b : items) {
        out.writeInt(b.length);
        out.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Whether the bytes are an item node holding more than one item. */
  static boolean isBatch(byte[] data) {
    return data.length >= NODE_OVERHEAD
        && (data[0] & 0xff) == ITEM_MAGIC
        && java.nio.ByteBuffer.wrap(data, 2, 4).getInt() > 1;
  }

  /**
   * @throws IllegalArgumentException if the bytes are not an item node of this format
   */
  static List<byte[]> decodeItems(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (data.length < NODE_OVERHEAD
          || in.readUnsignedByte() != ITEM_MAGIC
          || in.readUnsignedByte() != VERSION) {
        throw new IllegalArgumentException("not a Baton queue item node");
      }
      int count = in.readInt();
      if (count < 1 || count > data.length) {
        throw new IllegalArgumentException("corrupt item node: count " + count);
      }
      List<byte[]> items = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
          throw new IllegalArgumentException("corrupt item node: entry " + i + " length " + length);
        }
        items.add(in.readNBytes(length));
      }
      return items;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt item node", e);
    }
  }

  static byte[] encodeDead(String itemId, String reason, int attempts, byte[] payload) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length + 64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(DEAD_MAGIC);
      out.writeByte(VERSION);
      out.writeUTF(itemId);
      out.writeUTF(clip(reason));
      out.writeInt(attempts);
      out.writeInt(payload.length);
      out.write(payload);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A dead-letter node's contents. */
  record Dead(String itemId, String reason, int attempts, byte[] payload) {}

  static Dead decodeDead(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readUnsignedByte() != DEAD_MAGIC || in.readUnsignedByte() != VERSION) {
        throw new IllegalArgumentException("not a Baton dead-letter node");
      }
      String id = in.readUTF();
      String reason = in.readUTF();
      int attempts = in.readInt();
      int length = in.readInt();
      if (length < 0 || length > in.available()) {
        throw new IllegalArgumentException("corrupt dead-letter node: length " + length);
      }
      return new Dead(id, reason, attempts, in.readNBytes(length));
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt dead-letter node", e);
    }
  }

  /** writeUTF takes at most 65535 bytes; a reason is a message, keep it well below. */
  private static String clip(String reason) {
    String r = reason == null ? "" : reason;
    while (r.getBytes(StandardCharsets.UTF_8).length > 4000) {
      r = r.substring(0, r.length() / 2) + "...";
    }
    return r;
  }
}
