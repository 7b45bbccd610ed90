package dev.baton.core;

/**
 * A hold (lock lease, permit, leadership, queue claim, barrier membership) is lost, so an operation
 * that needs it failed. {@link #reason()} says why.
 */
public final class HoldLostException extends BatonException {

  private final ZkPath path;
  private final LossReason reason;

  public HoldLostException(ZkPath path, LossReason reason, String detail) {
    super("hold on " + path + " is lost (" + reason + "): " + detail, null);
    this.path = path;
    this.reason = reason;
  }

  /** The node behind the lost hold. */
  public ZkPath path() {
    return path;
  }

  /** Why the hold was lost. */
  public LossReason reason() {
    return reason;
  }
}
