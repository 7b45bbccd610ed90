/**
 * Real ZooKeeper ensembles for tests ({@link dev.baton.testkit.ZooKeeperEnsemble}, three {@link
 * dev.baton.testkit.Backend backends}), faults as verbs, a {@link dev.baton.testkit.ClientProxy} to
 * cut one client off, history checkers, and the JUnit 5 extension {@link
 * dev.baton.testkit.WithZooKeeper}.
 */
package dev.baton.testkit;
