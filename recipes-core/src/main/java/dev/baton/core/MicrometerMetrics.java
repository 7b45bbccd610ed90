package dev.baton.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer meters: {@code baton.connection.state} (counter, tag {@code state}), {@code
 * baton.holds.lost} (counter, tag {@code reason}) and {@code baton.holds.active} (gauge), each
 * tagged with the client's {@code client} name.
 *
 * <p>Thread-safe (Micrometer meters are).
 */
final class MicrometerMetrics implements Metrics {

  private final MeterRegistry registry;
  private final String client;
  private final AtomicInteger active = new AtomicInteger();

  MicrometerMetrics(Object registry, String client) {
    this.registry = (MeterRegistry) registry;
    this.client = client;
    Gauge.builder("baton.holds.active", active, AtomicInteger::get)
        .description("holds currently HELD or UNCERTAIN")
        .tag("client", client)
        .register(this.registry);
  }

  @Override
  public void connectionState(String state) {
    Counter.builder("baton.connection.state")
        .description("connection state changes seen by the client")
        .tag("client", client)
        .tag("state", state)
        .register(registry)
        .increment();
  }

  @Override
  public void holdLost(LossReason reason) {
    Counter.builder("baton.holds.lost")
        .description("holds lost, by reason")
        .tag("client", client)
        .tag("reason", reason.name())
        .register(registry)
        .increment();
  }

  @Override
  public void holdsActive(int delta) {
    active.addAndGet(delta);
  }
}
