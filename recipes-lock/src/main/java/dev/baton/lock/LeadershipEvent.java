package dev.baton.lock;

import dev.baton.core.LossReason;
import java.util.Objects;

/**
 * One change of a participant's leadership, told to {@link LeadershipListener}s in this order for
 * each leadership: {@link Elected} first, then any number of {@link Uncertain}/{@link Reconfirmed}
 * pairs, then at most one of {@link Lost} or {@link Resigned}. A later leadership of the same
 * participant is a new {@link Leadership} with its own {@link Elected} event and a larger fencing
 * token.
 */
public sealed interface LeadershipEvent {

  /** The leadership the event is about. */
  Leadership leadership();

  /** The participant was elected: act as leader, passing the fencing token downstream. */
  record Elected(Leadership leadership) implements LeadershipEvent {
    public Elected {
      Objects.requireNonNull(leadership, "leadership");
    }
  }

  /**
   * The connection is suspended: the servers may still hold our leadership, or may be about to
   * elect another participant. Stop acting as leader until {@link Reconfirmed}.
   */
  record Uncertain(Leadership leadership) implements LeadershipEvent {
    public Uncertain {
      Objects.requireNonNull(leadership, "leadership");
    }
  }

  /** The same session is connected again and still leads: same leadership, same token. */
  record Reconfirmed(Leadership leadership) implements LeadershipEvent {
    public Reconfirmed {
      Objects.requireNonNull(leadership, "leadership");
    }
  }

  /**
   * The leadership is gone for good (another participant may lead now). A started election contends
   * again by itself; a later win is a new {@link Elected}.
   */
  record Lost(Leadership leadership, LossReason reason) implements LeadershipEvent {
    public Lost {
      Objects.requireNonNull(leadership, "leadership");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The leadership was given up by {@link Leadership#resign()} or {@link LeaderElection#close()}:
   * not a loss.
   */
  record Resigned(Leadership leadership) implements LeadershipEvent {
    public Resigned {
      Objects.requireNonNull(leadership, "leadership");
    }
  }
}
