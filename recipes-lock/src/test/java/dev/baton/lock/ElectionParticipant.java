package dev.baton.lock;

import dev.baton.core.Baton;
import dev.baton.testkit.ClientProxy;
import dev.baton.testkit.TestClients;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A participant of {@link LeaderElectionTest}'s election on its own client (and proxy, when it is
 * to be cut off), with what it was told.
 */
final class ElectionParticipant {

  /** One event as the participant was told it: when, and on which thread. */
  record Told(LeadershipEvent event, long atNanos, String thread) {}

  final String id;
  final Baton client;
  final Optional<ClientProxy> proxy;
  final LeaderElection election;
  final List<Told> told = new CopyOnWriteArrayList<>();

  ElectionParticipant(String id, Baton client, Optional<ClientProxy> proxy) {
    this.id = id;
    this.client = client;
    this.proxy = proxy;
    this.election = LeaderElection.create(client, LeaderElectionTest.ELECTION, id);
    election.addListener(
        e -> told.add(new Told(e, System.nanoTime(), Thread.currentThread().getName())));
  }

  static ElectionParticipant direct(TestClients clients, String id) {
    return new ElectionParticipant(id, clients.connect(), Optional.empty());
  }

  static ElectionParticipant proxied(TestClients clients, String id) {
    TestClients.ProxiedClient pc = clients.connectThroughNewProxy();
    return new ElectionParticipant(id, pc.client(), Optional.of(pc.proxy()));
  }

  Leadership leadership() {
    return election.currentLeadership().orElseThrow();
  }

  /** The first event of {@code type} about {@code term}, once told. */
  Optional<Told> first(Class<? extends LeadershipEvent> type, Leadership term) {
    return told.stream()
        .filter(t -> type.isInstance(t.event()) && t.event().leadership() == term)
        .findFirst();
  }

  List<String> kinds(Leadership term) {
    return told.stream()
        .filter(t -> t.event().leadership() == term)
        .map(t -> t.event().getClass().getSimpleName())
        .toList();
  }

  @Override
  public String toString() {
    return id;
  }
}
