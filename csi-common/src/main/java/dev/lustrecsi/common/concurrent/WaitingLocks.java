package dev.lustrecsi.common.concurrent;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock per key that callers wait their turn for, in the order they came, unlike
 * {@link KeyedLocks}: for work that must take turns rather than fail (passes over one filesystem,
 * its snapshot barrier, mounting one snapshot). A key's lock exists only while someone holds it or
 * waits for it, so keys that come and go (a clone's own snapshot each) leave nothing behind.
 */
public final class WaitingLocks {
  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock(true);
    /** Holders and waiters; the entry goes when the last of them leaves. */
    int users;
  }

  private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();

  /** Holds the key's lock, waiting as long as it takes. */
  public KeyedLocks.Held acquire(String key) {
    Entry entry = enter(key);
    entry.lock.lock();
    return () -> release(key, entry);
  }

  /** Holds the key's lock, waiting up to {@code wait}; empty if it is still held by someone else then. */
  public Optional<KeyedLocks.Held> acquire(String key, Duration wait) throws InterruptedException {
    Entry entry = enter(key);
    boolean locked = false;
    try {
      locked = entry.lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS);
    } finally {
      if (!locked) {
        leave(key, entry);
      }
    }
    return locked ? Optional.of(() -> release(key, entry)) : Optional.empty();
  }

  /** How many keys have a lock now (held or waited for). */
  public int size() {
    return entries.size();
  }

  private Entry enter(String key) {
    return entries.compute(key, (k, entry) -> {
      Entry current = entry == null ? new Entry() : entry;
      current.users++;
      return current;
    });
  }

  private void release(String key, Entry entry) {
    entry.lock.unlock();
    leave(key, entry);
  }

  private void leave(String key, Entry entry) {
    entries.computeIfPresent(key, (k, current) -> current == entry && --current.users == 0 ? null : current);
  }
}
