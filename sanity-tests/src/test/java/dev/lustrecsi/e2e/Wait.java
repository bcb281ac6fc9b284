package dev.lustrecsi.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls the cluster until something holds. On a timeout it fails with what it waited for, how
 * long, the last state it saw and whatever the caller's diagnostics add (the Events, mostly):
 * on a real cluster that message is often all there is to go on after the namespace is gone.
 */
record Wait(String what, Duration timeout, Supplier<String> diagnostics) {
  private static final Duration INTERVAL = Duration.ofSeconds(5);

  static Wait forThat(String what, Duration timeout) {
    return new Wait(what, timeout, () -> "");
  }

  Wait withDiagnostics(Supplier<String> more) {
    return new Wait(what, timeout, more);
  }

  /** The first observation {@code done} accepts. */
  <T> T until(Supplier<T> observe, Predicate<? super T> done, Function<? super T, String> describe) {
    Instant deadline = Instant.now().plus(timeout);
    String last = "nothing observed yet";
    while (true) {
      try {
        T seen = observe.get();
        if (seen != null && done.test(seen)) {
          return seen;
        }
        last = seen == null ? "(not there)" : describe.apply(seen);
      } catch (RuntimeException e) {
        // The API server of a cluster under test hiccups (a leader election, a webhook timing out);
        // one failed read is not the answer, the state at the deadline is.
        last = "reading it failed: " + e;
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("gave up after " + timeout.toMinutes() + " min waiting for " + what
            + "\n  last observed: " + last + diagnosticsText());
      }
      sleep();
    }
  }

  private String diagnosticsText() {
    try {
      String text = diagnostics.get();
      return text.isBlank() ? "" : "\n" + text;
    } catch (RuntimeException e) {
      return "\n  (diagnostics could not be read: " + e + ")";
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(INTERVAL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
