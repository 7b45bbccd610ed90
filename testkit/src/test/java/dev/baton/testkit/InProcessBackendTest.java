package dev.baton.testkit;

@WithZooKeeper(
    size = 3,
    backend = Backend.IN_PROCESS,
    sessionTimeoutMillis = 4000,
    connectionTimeoutMillis = 3000)
class InProcessBackendTest extends EnsembleContract {
  @Override
  Backend backend() {
    return Backend.IN_PROCESS;
  }
}
