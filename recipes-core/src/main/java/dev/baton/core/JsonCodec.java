package dev.baton.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@link Codec#json}: kept in its own class so that Jackson is loaded only when a JSON codec is
 * asked for. Immutable; Jackson's readers and writers are thread-safe.
 */
final class JsonCodec {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .findAndRegisterModules()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonCodec() {}

  static <T> Codec<T> of(Class<T> type) {
    ObjectReader reader = MAPPER.readerFor(type);
    ObjectWriter writer = MAPPER.writerFor(type);
    return Codec.of(
        value -> {
          try {
            return writer.writeValueAsBytes(value);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + type.getName() + " as JSON", e);
          }
        },
        bytes -> {
          try {
            T value = reader.readValue(bytes);
            if (value == null) {
              throw new IllegalArgumentException("JSON null is not a " + type.getName());
            }
            return value;
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read JSON as " + type.getName(), e);
          }
        });
  }
}
