package dev.baton.benchmarks;

/** Which direction of a metric is good. Immutable. */
enum Better {
  LOWER("lower is better"),
  HIGHER("higher is better"),
  /** A correctness counter: anything but zero is a defect of the system measured. */
  ZERO("must be 0"),
  /** Reported for information (a cost or a limit), no direction. */
  NONE("info");

  private final String text;

  Better(String text) {
    this.text = text;
  }

  String text() {
    return text;
  }
}
