package dev.baton.benchmarks;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Runs scenarios on one {@link Env}: per scenario one warm-up round per system, then measured
 * rounds that alternate which system goes first (so neither always runs on a warmer or busier
 * machine), and hands each system's summed tally to the scenario for its figures. Confined to the
 * calling thread.
 */
final class Runner {

  private final Env env;
  private final Results results;

  Runner(Env env, Results results) {
    this.env = env;
    this.results = results;
  }

  void run(Scenario s) throws Exception {
    long t0 = System.nanoTime();
    List<Sys> systems = s.systems();
    if (s.warmUp()) {
      for (Sys sys : systems) {
        round(s, sys, new Tally(), true);
      }
    }
    Map<Sys, Tally> tallies = new EnumMap<>(Sys.class);
    int rounds = s.rounds(env.config());
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < systems.size(); i++) {
        Sys sys = systems.get(r % 2 == 0 ? i : systems.size() - 1 - i);
        round(s, sys, tallies.computeIfAbsent(sys, k -> new Tally()), false);
      }
    }
    for (Sys sys : systems) {
      s.report(sys, tallies.get(sys)).forEach(results::add);
    }
    results.progress(String.format("%s: done in %.1f s", s.name(), (System.nanoTime() - t0) / 1e9));
  }

  private void round(Scenario s, Sys sys, Tally tally, boolean warmUp) throws Exception {
    try {
      s.round(sys, env, tally, warmUp);
    } catch (Exception e) {
      // the figures of this round are missing (n/a), not the whole run
      results.note(s.name() + ", " + sys.label() + ": round failed: " + e);
    } finally {
      env.closeRound();
    }
  }
}
