package dev.baton.core;

import java.util.Optional;

/**
 * One state change of a hold.
 *
 * @param path the node behind the hold
 * @param sessionId the session the hold belongs to
 * @param from the state before
 * @param to the state after
 * @param reason why, when {@code to} is {@link HoldState#LOST}
 */
public record HoldEvent(
    ZkPath path, long sessionId, HoldState from, HoldState to, Optional<LossReason> reason) {}
