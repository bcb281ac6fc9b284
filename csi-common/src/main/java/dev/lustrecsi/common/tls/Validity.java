package dev.lustrecsi.common.tls;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** When a certificate is valid. */
public record Validity(Instant notBefore, Instant notAfter) {
  /** Backdating by a few minutes: a peer whose clock runs slightly behind must not see a brand-new certificate as "not yet valid". */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  public Validity {
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalArgumentException("a certificate must end after it starts");
    }
  }

  /** Valid from now (less the clock skew allowance) for {@code duration}. */
  public static Validity from(Clock clock, Duration duration) {
    Instant now = clock.instant();
    return new Validity(now.minus(CLOCK_SKEW), now.plus(duration));
  }
}
