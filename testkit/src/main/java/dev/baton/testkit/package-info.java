/**
 * Real ZooKeeper ensembles for tests ({@link dev.baton.testkit.ZooKeeperEnsemble}, three {@link
 * dev.baton.testkit.Backend backends}), faults as verbs, a {@link dev.baton.testkit.ClientProxy} to
 * cut one client off, history checkers, a fault soak ({@link dev.baton.testkit.Soak}: pluggable
 * {@link dev.baton.testkit.SoakWorkload}s under a {@link dev.baton.testkit.FaultSchedule} drawn
 * from a seed), and the JUnit 5 extension {@link dev.baton.testkit.WithZooKeeper}.
 */
package dev.baton.testkit;
