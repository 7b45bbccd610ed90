package dev.baton.core;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;

/**
 * Turns values into node data and back, for recipes that carry typed values (queue items, config
 * values, invalidation keys).
 *
 * <p>A codec should throw (any {@link RuntimeException}) for input it cannot handle rather than
 * return a guess: recipes turn the failure into a {@link CodecException} that names the path, write
 * nothing when encoding fails, and report the bytes when decoding fails. {@code encode} must not
 * return null.
 *
 * <p>Implementations must be thread-safe; the ones here are immutable.
 *
 * @param <T> the value type
 */
public interface Codec<T> {

  /** The bytes for {@code value}. */
  byte[] encode(T value);

  /** The value for {@code bytes}. */
  T decode(byte[] bytes);

  /** A codec from two functions. */
  static <T> Codec<T> of(
      Function<? super T, byte[]> encoder, Function<byte[], ? extends T> decoder) {
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(decoder, "decoder");
    return new Codec<>() {
      @Override
      public byte[] encode(T value) {
        return encoder.apply(value);
      }

      @Override
      public T decode(byte[] bytes) {
        return decoder.apply(bytes);
      }
    };
  }

  /** Bytes as they are (copied both ways, so nobody shares an array with the recipe). */
  static Codec<byte[]> bytes() {
    return of(b -> Arrays.copyOf(b, b.length), b -> Arrays.copyOf(b, b.length));
  }

  /** UTF-8 text. Decoding is strict: malformed UTF-8 is an error, not replacement characters. */
  static Codec<String> utf8() {
    return of(
        s -> s.getBytes(StandardCharsets.UTF_8),
        b -> {
          try {
            return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b))
                .toString();
          } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not valid UTF-8 (" + b.length + " bytes)", e);
          }
        });
  }

  /**
   * {@link Properties} in the text format of {@link Properties#store}, read and written as UTF-8.
   * The decoded value is a fresh copy each time.
   */
  static Codec<Properties> properties() {
    return of(
        p -> {
          StringWriter out = new StringWriter();
          try {
            p.store(out, null);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          // store() writes a date comment first; drop it so equal values give equal bytes.
          String text = out.toString().replaceFirst("^#[^\\n]*\\R", "");
          return text.getBytes(StandardCharsets.UTF_8);
        },
        b -> {
          Properties p = new Properties();
          try {
            p.load(new StringReader(utf8().decode(b)));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return p;
        });
  }

  /**
   * JSON through Jackson's databind ({@code com.fasterxml.jackson.core:jackson-databind}, which the
   * application must put on its class path: Baton declares it optional so as not to impose a
   * version). Unknown properties fail decoding, so a typo in a pushed config is reported rather
   * than silently ignored.
   *
   * @throws IllegalStateException if Jackson databind is not on the class path
   */
  static <T> Codec<T> json(Class<T> type) {
    Objects.requireNonNull(type, "type");
    try {
      Class.forName(
          "com.fasterxml.jackson.databind.ObjectMapper", false, Codec.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "Codec.json needs com.fasterxml.jackson.core:jackson-databind on the class path", e);
    }
    return JsonCodec.of(type);
  }
}
