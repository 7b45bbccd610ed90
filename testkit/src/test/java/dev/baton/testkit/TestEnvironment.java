package dev.baton.testkit;

/** Conditions for tests that need a Docker engine. */
final class TestEnvironment {
  private TestEnvironment() {}

  /**
   * True when CI asked for containers (the test must then run and fail loudly) or an engine
   * answers.
   */
  static boolean containersExpectedOrAvailable() {
    return "containers".equals(System.getenv(Backend.ENV)) || ContainerServers.dockerAvailable();
  }
}
