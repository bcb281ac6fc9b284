package dev.lustrecsi.controller.snapshot;

import dev.lustrecsi.common.concurrent.KeyedLocks;
import dev.lustrecsi.common.concurrent.WaitingLocks;
import dev.lustrecsi.common.error.CsiException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * How CSI snapshots share Lustre snapshots. A Lustre snapshot covers the whole filesystem, so
 * every CSI snapshot requested while one of the same filesystem is being taken (or within the
 * gathering window before it starts) joins the next one: a burst of N requests costs two
 * barriers, not N. Each joiner learns the Lustre snapshot's name at once, so it can record it
 * before the snapshot is taken; the snapshot is taken after every joiner's request arrived, so
 * each CSI snapshot holds its volume as it was at some moment during its own call.
 *
 * <p>All Lustre snapshot work of one filesystem (take, retake, destroy) runs under the
 * filesystem's lock, one at a time: they would contend for its one barrier anyway.
 *
 * <p>Joining and deleting share a second lock per filesystem. A joiner holds it (shared with
 * other joiners) from choosing its batch until its record naming the batch is written, and so does
 * a call recording one more CSI snapshot of a Lustre snapshot other records already name ({@link
 * #rejoin}); deleting a CSI snapshot decides whether its Lustre snapshot is still shared while
 * holding it alone. Without it a joiner could pick a batch, another joiner of it take the snapshot
 * and be deleted before the first one's record was written: the deletion would find no record
 * sharing the snapshot and destroy it, and the first joiner would then record READY a snapshot
 * that no longer exists.
 */
public final class SnapshotBatches {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'-'HHmmss").withZone(ZoneOffset.UTC);
  /** How long a call waits for the filesystem's other snapshot work before answering ABORTED for a retry. */
  private static final Duration LOCK_WAIT = Duration.ofMinutes(2);

  /** A Lustre snapshot to be taken once for everyone who joined it. */
  public static final class Batch {
    private final String fsName;
    private final String name;
    private final long openedNanos;
    private boolean done;
    private long creationSeconds;
    private RuntimeException failure;

    private Batch(String fsName, String name, long openedNanos) {
      this.fsName = fsName;
      this.name = name;
      this.openedNanos = openedNanos;
    }

    /** The Lustre snapshot's name: every target's ZFS snapshot is {@code DATASET@NAME}. */
    public String name() {
      return name;
    }
  }

  /**
   * A joiner's place in a batch, held until its record names the batch: no deletion decides
   * meanwhile whether the batch's snapshot is shared. Closed once the record is written (or its
   * write failed), on the thread that joined.
   */
  public static final class Joined implements AutoCloseable {
    private final Batch batch;
    private final Lock held;

    private Joined(Batch batch, Lock held) {
      this.batch = batch;
      this.held = held;
    }

    public Batch batch() {
      return batch;
    }

    @Override
    public void close() {
      held.unlock();
    }
  }

  /**
   * A place beside the joiners of a Lustre snapshot that records already name, held until the
   * caller's record naming it too is written (see {@link #rejoin}). Closed on the thread that took it.
   */
  public static final class Rejoined implements AutoCloseable {
    private final Lock held;

    private Rejoined(Lock held) {
      this.held = held;
    }

    @Override
    public void close() {
      held.unlock();
    }
  }

  /** The Lustre snapshot work the batches put in order: {@link LustreSnapshots} on the servers. */
  public interface Snapshotter {
    /** Takes the Lustre snapshot from scratch (whatever pieces an earlier attempt left are destroyed first); its creation time. */
    long take(String fsName, String name);

    void destroy(String fsName, String name);

    /** FAILED_PRECONDITION when no snapshot can ever be taken of the filesystem (one the site runs). */
    void requireSnapshottable(String fsName);
  }

  private final Snapshotter lustre;
  private final Duration window;
  private final Clock clock;
  private final Duration lockWait;
  private final ConcurrentMap<String, Batch> open = new ConcurrentHashMap<>();
  /**
   * The creation time of each Lustre snapshot this controller has taken whole and not destroyed
   * since, by {@code FSNAME@NAME}; changed only under the filesystem's lock. A joiner's READY record
   * is written after the lock is released, so a retake that gets the lock next cannot learn from
   * the records alone that the snapshot is whole: this tells it.
   */
  private final ConcurrentMap<String, Long> taken = new ConcurrentHashMap<>();
  private final WaitingLocks locks = new WaitingLocks();
  /** Per filesystem: joiners share it until their record is written; a deletion's decision holds it alone. */
  private final ConcurrentMap<String, ReadWriteLock> joining = new ConcurrentHashMap<>();

  /** @param window how long a new batch gathers joiners before its snapshot is taken (zero: share only with what queues behind a running one) */
  public SnapshotBatches(LustreSnapshots lustre, Duration window, Clock clock) {
    this(lustre, window, clock, LOCK_WAIT);
  }

  SnapshotBatches(Snapshotter lustre, Duration window, Clock clock, Duration lockWait) {
    this.lustre = lustre;
    this.window = window;
    this.clock = clock;
    this.lockWait = lockWait;
  }

  /**
   * Refuses, before anything is recorded, a filesystem no snapshot can ever be taken of: a record
   * written for it could be neither taken nor destroyed.
   */
  public void requireSnapshottable(String fsName) {
    lustre.requireSnapshottable(fsName);
  }

  /**
   * The filesystem's open batch, or a new one, held until the caller has written the record that
   * names it (see {@link Joined}).
   */
  public Joined join(String fsName) {
    Lock shared = joinLock(fsName).readLock();
    shared.lock();
    try {
      return new Joined(open.computeIfAbsent(fsName, fs -> new Batch(fs, newName(), System.nanoTime())), shared);
    } catch (RuntimeException e) {
      shared.unlock();
      throw e;
    }
  }

  /**
   * A place beside the joiners for a caller about to record one more CSI snapshot of a Lustre
   * snapshot that records already name (a group's member that a crashed call never wrote), held
   * like {@link #join}'s until that record is written. A deletion decides whether the snapshot is
   * shared either after the record is written, and then counts it, or before this place was
   * taken: {@code stillLive}, read once it is held, says whether the records the caller found
   * naming the snapshot are still live. If not, a deletion may have found the snapshot unshared
   * and be destroying it, so the call is ABORTED and writes nothing; its retry reads the records
   * again.
   */
  public Rejoined rejoin(String fsName, String name, BooleanSupplier stillLive) {
    Lock shared = joinLock(fsName).readLock();
    shared.lock();
    try {
      if (!stillLive.getAsBoolean()) {
        throw CsiException.aborted("Lustre snapshot " + name + " of " + fsName + " is being deleted with the records that named it; retry");
      }
      return new Rejoined(shared);
    } catch (RuntimeException e) {
      shared.unlock();
      throw e;
    }
  }

  /**
   * Destroys the Lustre snapshot unless {@code shared}, read from the records, says another live
   * record names it; returns whether it was destroyed. The records are read while no joiner is
   * between choosing a batch and writing its record, so every joiner of this snapshot is in them;
   * a batch of this name still open (its callers gave up waiting) is closed to newcomers at the
   * same time, so none joins it after the decision.
   */
  public boolean destroyUnlessShared(String fsName, String name, BooleanSupplier shared) {
    Lock alone = joinLock(fsName).writeLock();
    boolean locked;
    try {
      locked = alone.tryLock(lockWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CsiException.aborted("interrupted while waiting for the snapshots of " + fsName + " being joined");
    }
    if (!locked) {
      throw CsiException.aborted("snapshots of filesystem " + fsName + " are being recorded for long; retry later");
    }
    try {
      if (shared.getAsBoolean()) {
        return false;
      }
      open.computeIfPresent(fsName, (fs, batch) -> batch.name.equals(name) ? null : batch);
    } finally {
      alone.unlock();
    }
    destroy(fsName, name);
    return true;
  }

  private ReadWriteLock joinLock(String fsName) {
    // Fair: a deletion waiting for the joiners in progress is not passed by new ones.
    return joining.computeIfAbsent(fsName, fs -> new ReentrantReadWriteLock(true));
  }

  /** Waits until the batch's Lustre snapshot is taken, taking it if no joiner has yet, and returns its creation time. */
  public long await(Batch batch) {
    return underLock(batch.fsName, () -> {
      if (!batch.done) {
        pauseForJoiners(batch);
        takeOnce(batch, () -> takeWhole(batch.fsName, batch.name));
      }
      return outcome(batch);
    });
  }

  /**
   * Finishes a Lustre snapshot that a crashed or failed call left unfinished: {@code whole} says
   * whether another record already proved it whole (its creation time, or -1); so does this
   * controller having taken it whole, which the records may not say yet (the caller that took it
   * writes its READY record after letting go of the lock). Otherwise it is taken again from
   * scratch under the same name: never one already handed out as ready.
   *
   * <p>A call that gave up waiting for the lock leaves its batch open, not taken. Its retry takes
   * that batch here, once, for everyone who joined it: left open, a later joiner's {@link #await}
   * would take it again from scratch, destroying the snapshot this retry made whole (and already
   * recorded READY) and replacing it with a later one.
   */
  public long retake(String fsName, String name, LongSupplier whole) {
    return underLock(fsName, () -> {
      LongSupplier finish = () -> {
        Long tookWhole = taken.get(key(fsName, name));
        if (tookWhole != null) {
          return tookWhole;
        }
        long known = whole.getAsLong();
        return known >= 0 ? known : takeWhole(fsName, name);
      };
      Batch left = open.get(fsName);
      if (left == null || !left.name.equals(name)) {
        return finish.getAsLong();
      }
      takeOnce(left, finish);
      return outcome(left);
    });
  }

  /** Under the filesystem's lock: closes the batch to newcomers, then takes its snapshot, recording how that went for every joiner. */
  private void takeOnce(Batch batch, LongSupplier taking) {
    open.remove(batch.fsName, batch);  // from here on, newcomers open the next batch
    try {
      batch.creationSeconds = taking.getAsLong();
    } catch (RuntimeException e) {
      batch.failure = e;
    }
    batch.done = true;
  }

  private static long outcome(Batch batch) {
    if (batch.failure != null) {
      throw batch.failure;
    }
    return batch.creationSeconds;
  }

  /**
   * Takes a Lustre snapshot for one caller alone (a clone's), from scratch, under the same lock as
   * every other snapshot work of the filesystem, so that it never races a CSI snapshot's barrier.
   */
  public long takeAlone(String fsName, String name) {
    return underLock(fsName, () -> {
      taken.remove(key(fsName, name));  // taken again from scratch: what was whole before is gone first
      return lustre.take(fsName, name);
    });
  }

  /** Destroys every piece of a Lustre snapshot. */
  public void destroy(String fsName, String name) {
    underLock(fsName, () -> {
      taken.remove(key(fsName, name));
      lustre.destroy(fsName, name);
      return 0L;
    });
  }

  /** Under the filesystem's lock: takes the snapshot from scratch, and remembers it whole once it is. */
  private long takeWhole(String fsName, String name) {
    taken.remove(key(fsName, name));  // a take starts by destroying whatever pieces there are
    long creation = lustre.take(fsName, name);
    taken.put(key(fsName, name), creation);
    return creation;
  }

  private static String key(String fsName, String name) {
    return fsName + "@" + name;
  }

  private void pauseForJoiners(Batch batch) {
    long left = window.toNanos() - (System.nanoTime() - batch.openedNanos);
    if (left > 0) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CsiException.aborted("interrupted while gathering snapshots of " + batch.fsName);
      }
    }
  }

  private long underLock(String fsName, LongSupplier work) {
    Optional<KeyedLocks.Held> held;
    try {
      held = locks.acquire(fsName, lockWait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CsiException.aborted("interrupted while waiting for the snapshots of " + fsName);
    }
    try (var lock = held.orElseThrow(() -> CsiException.aborted("another snapshot of filesystem " + fsName + " is taking long; retry later"))) {
      return work.getAsLong();
    }
  }

  /** lcsi-YYYYMMDD-HHMMSS-RANDOM: unique, sorts by time, and says who made it in {@code zfs list}. */
  private String newName() {
    return "lcsi-" + STAMP.format(clock.instant()) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt() & 0xFFFFFF, 6);
  }
}
