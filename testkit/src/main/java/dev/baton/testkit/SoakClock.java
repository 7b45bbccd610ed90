package dev.baton.testkit;

import java.util.Locale;

/** How the soak's log writes a time since the soak started: {@code +12.345s}. */
final class SoakClock {

  private SoakClock() {}

  static String format(long nanosSinceStart) {
    return String.format(Locale.ROOT, "+%.3fs", nanosSinceStart / 1e9);
  }
}
