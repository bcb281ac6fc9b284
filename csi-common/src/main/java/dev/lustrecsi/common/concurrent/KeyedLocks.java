package dev.lustrecsi.common.concurrent;

import dev.lustrecsi.common.error.CsiException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most one operation per key (a volume id) at a time. A second caller is not queued: it gets
 * ABORTED at once, as the CSI spec asks ("operation pending for volume"), and the CO retries
 * with backoff. Queueing would pile up retries of slow operations behind each other.
 */
public final class KeyedLocks {
  private final Set<String> held = ConcurrentHashMap.newKeySet();

  /** A held lock; closing releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  public Held acquire(String key) {
    if (!held.add(key)) {
      throw CsiException.aborted("an operation on volume " + key + " is already in progress; retry later");
    }
    return () -> held.remove(key);
  }

  /** The lock, or empty while someone holds it: for background work that leaves a busy key for later. */
  public Optional<Held> tryAcquire(String key) {
    return held.add(key) ? Optional.of(() -> held.remove(key)) : Optional.empty();
  }
}
