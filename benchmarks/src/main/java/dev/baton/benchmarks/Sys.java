package dev.baton.benchmarks;

/** The systems measured side by side. Immutable. */
enum Sys {
  /** The plain ZooKeeper client: the floor a recipe built on it cannot beat. */
  ZOOKEEPER("zookeeper"),
  /** Baton's recipes. */
  BATON("baton"),
  /** Apache Curator 5.9.0's curator-recipes. */
  CURATOR("curator");

  private final String label;

  Sys(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }
}
