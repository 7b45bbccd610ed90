package dev.baton.testkit;

import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Runs where a Docker engine answers, and always when {@code BATON_TESTKIT_BACKEND=containers}
 * (CI): then it fails instead of skipping.
 */
@EnabledIf("dev.baton.testkit.TestEnvironment#containersExpectedOrAvailable")
@WithZooKeeper(
    size = 3,
    backend = Backend.CONTAINERS,
    sessionTimeoutMillis = 4000,
    connectionTimeoutMillis = 3000)
class ContainersBackendTest extends EnsembleContract {
  @Override
  Backend backend() {
    return Backend.CONTAINERS;
  }
}
