package dev.lustrecsi.sandbox.co;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How a container orchestrator's sidecars (the external-provisioner, the resizer) treat a driver
 * that answers "not now": the same call again after a delay that doubles up to a ceiling, with
 * jitter so that many callers do not return in step, until it answers anything else or a bound
 * passes. The driver answers UNAVAILABLE while a filesystem's server VMs or new OSTs come up, and
 * ABORTED while another call for the same volume is in flight; the demo, the conformance suite
 * and the benchmark all call it through this, as a cluster would.
 *
 * @param initial the first delay
 * @param max the longest delay
 * @param giveUpAfter how long to keep trying before the last answer is thrown
 */
public record CoRetry(Duration initial, Duration max, Duration giveUpAfter) {
  /** The codes that mean "the same call will work later". */
  public static final Set<Status.Code> RETRYABLE = Set.of(Status.Code.UNAVAILABLE, Status.Code.ABORTED);

  /** Quicker than the external-provisioner's defaults (1 s to 5 min), bounded to suit a test or a demo. */
  public static final CoRetry DEFAULT = new CoRetry(Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofMinutes(2));

  /** Makes the call until it answers with a code other than UNAVAILABLE or ABORTED. */
  public <T> T call(Supplier<T> call) {
    return call(call, code -> {});
  }

  /**
   * Makes the call until it answers with a code other than UNAVAILABLE or ABORTED; {@code retried}
   * hears each retryable answer.
   */
  public <T> T call(Supplier<T> call, Consumer<Status.Code> retried) {
    long deadline = System.nanoTime() + giveUpAfter.toNanos();
    long delay = initial.toNanos();
    while (true) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (!RETRYABLE.contains(code) || System.nanoTime() + delay > deadline) {
          throw e;
        }
        retried.accept(code);
        sleep(ThreadLocalRandom.current().nextLong(delay / 2, delay + 1));
        delay = Math.min(delay * 2, max.toNanos());
      }
    }
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted while waiting to retry").asRuntimeException();
    }
  }
}
