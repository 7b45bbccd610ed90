package dev.baton.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link SoakWorkload} (or the soak itself) counted, and the checks it failed.
 *
 * <p>Immutable.
 *
 * @param name the workload's name
 * @param counters named counts, in the order they were added
 * @param failures one line per failed check, naming the counter and what was expected; empty when
 *     every check passed
 */
public record SoakResult(String name, Map<String, Long> counters, List<String> failures) {

  /** Copies the counters (keeping their order) and the failures. */
  public SoakResult {
    Objects.requireNonNull(name, "name");
    counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    failures = List.copyOf(failures);
  }

  /** Whether every check passed. */
  public boolean ok() {
    return failures.isEmpty();
  }

  /** One line: the name, every counter as {@code key=value}, and the verdict. */
  public String summary() {
    StringBuilder s = new StringBuilder(name).append(':');
    counters.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
    return s.append(ok() ? " OK" : " FAILED").toString();
  }
}
