package dev.baton.testkit;

@WithZooKeeper(
    size = 3,
    backend = Backend.PROCESS,
    sessionTimeoutMillis = 4000,
    connectionTimeoutMillis = 3000)
class ProcessBackendTest extends EnsembleContract {
  @Override
  Backend backend() {
    return Backend.PROCESS;
  }
}
