package dev.lustrecsi.agent.lustre;

/**
 * A target's {@code recovery_status}.
 *
 * @param status INACTIVE, COMPLETE, WAITING, WAITING_FOR_CLIENTS or RECOVERING
 * @param timeRemainingSeconds time_remaining while RECOVERING, else 0
 */
public record Recovery(String status, long timeRemainingSeconds) {}
