package dev.baton.soak;

import dev.baton.testkit.Soak;
import dev.baton.testkit.ZooKeeperEnsemble;

/**
 * The Baton recipes' fault soak: lock holders with a fenced resource, leader-election participants
 * writing their epoch, queue producers and consumers with a ledger, config subscribers; over a
 * {@link Soak} of the testkit.
 *
 * <p>Stateless.
 */
public final class BatonSoak {

  private BatonSoak() {}

  /**
   * A soak builder over {@code ensemble} with the Baton workloads added: 3 lock holders, 3 election
   * participants, 2 producers and 2 consumers, 1 config writer and 3 subscribers, each on its own
   * client (14 clients). Set the seed and the fault period on it, then {@code build().run()}.
   */
  public static Soak.Builder builder(ZooKeeperEnsemble ensemble) {
    return Soak.builder(ensemble)
        .workload(new LockWorkload(3))
        .workload(new ElectionWorkload(3))
        .workload(new QueueWorkload(2, 2))
        .workload(new ConfigWorkload(3));
  }
}
