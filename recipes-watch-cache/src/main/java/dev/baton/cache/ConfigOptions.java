package dev.baton.cache;

import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link ConfigSubscription}.
 *
 * @param validator judges each decoded value; a value it finds a problem with is rejected like one
 *     that fails to decode
 * @param <T> the value type
 */
public record ConfigOptions<T>(Validator<? super T> validator) {

  /** Says what is wrong with a value, or nothing. Must be thread-safe and quick. */
  @FunctionalInterface
  public interface Validator<T> {
    /** The problem with {@code value}, or empty if it is acceptable. */
    Optional<String> problem(T value);
  }

  /** Checks the settings. */
  public ConfigOptions {
    Objects.requireNonNull(validator, "validator");
  }

  /** Every decoded value is accepted. */
  public static <T> ConfigOptions<T> defaults() {
    return new ConfigOptions<>(v -> Optional.empty());
  }

  /** A copy with {@code validator}. */
  public ConfigOptions<T> withValidator(Validator<? super T> validator) {
    return new ConfigOptions<>(validator);
  }
}
