package dev.lustrecsi.common.concurrent;

import dev.lustrecsi.common.error.CsiException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * At most one operation per key (a volume id) at a time, or any number of operations that only
 * share it. A caller who cannot have the lock is not queued: it gets ABORTED at once, as the CSI
 * spec asks ("operation pending for volume"), and the CO retries with backoff. Queueing would
 * pile up retries of slow operations behind each other.
 */
public final class KeyedLocks {
  private static final int EXCLUSIVE = -1;

  /** Per key held: {@value #EXCLUSIVE} by one exclusive holder, else how many share it. Keys not held are absent. */
  private final ConcurrentMap<String, Integer> holders = new ConcurrentHashMap<>();

  /** A held lock; closing releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** The key alone; ABORTED while anyone holds it, exclusively or shared. */
  public Held acquire(String key) {
    return tryAcquire(key).orElseThrow(() -> busy(key));
  }

  /** The lock, or empty while someone holds it: for background work that leaves a busy key for later. */
  public Optional<Held> tryAcquire(String key) {
    return holders.putIfAbsent(key, EXCLUSIVE) == null ? Optional.of(() -> holders.remove(key, EXCLUSIVE)) : Optional.empty();
  }

  /**
   * The key shared with other sharing holders (publishes of one volume to several pods, say);
   * ABORTED while someone holds it alone (its stage or unstage).
   */
  public Held acquireShared(String key) {
    boolean[] granted = {false};
    holders.compute(key, (k, count) -> {
      if (count != null && count == EXCLUSIVE) {
        return count;
      }
      granted[0] = true;
      return count == null ? 1 : count + 1;
    });
    if (!granted[0]) {
      throw busy(key);
    }
    return () -> holders.compute(key, (k, count) -> count == 1 ? null : count - 1);
  }

  private static CsiException busy(String key) {
    return CsiException.aborted("an operation on volume " + key + " is already in progress; retry later");
  }
}
