package dev.lustrecsi.controller.volume;

import java.time.Duration;
import java.time.Instant;

/**
 * When a record no CO asks for any more counts as abandoned: a volume or snapshot still being made
 * (or left being deleted) that no call has asked for in {@code after}. A call that asks for it
 * again moves its time to now once it is a quarter of {@code after} old, so a record in use is
 * written at most once a quarter for this, and never comes near the limit; the leader sweeps
 * every quarter.
 *
 * @param after how long a record not ready may go without a call asking for it
 */
public record Abandonment(Duration after) {
  public Abandonment {
    if (after.isNegative() || after.isZero()) {
      throw new IllegalArgumentException("the abandonment time must be positive, not " + after);
    }
  }

  /** Whether a call asking now for a record last asked for at {@code lastRequested} should move its time to now. */
  public boolean refreshDue(Instant lastRequested, Instant now) {
    return !lastRequested.plus(quarter()).isAfter(now);
  }

  /** Whether a record last asked for at {@code lastRequested} is abandoned at {@code now}. */
  public boolean abandoned(Instant lastRequested, Instant now) {
    return lastRequested.isBefore(now.minus(after));
  }

  /** How often the leader sweeps. */
  public Duration sweepPeriod() {
    return quarter().isZero() ? Duration.ofMillis(1) : quarter();
  }

  private Duration quarter() {
    return after.dividedBy(4);
  }
}
