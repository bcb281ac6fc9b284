package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.error.CsiException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per filesystem, the capacity committed to volumes: for each volume, what its record holds as
 * this controller last saw it (its own writes at once, other controllers' as the watch delivers
 * them), or more while a write of this controller that will record more is in flight.
 *
 * <p>It follows the records rather than being counted once when the controller starts: CSI calls
 * go to whichever replica the provisioner sidecar's leader runs beside, and that leadership moves
 * back and forth while both replicas keep running. A replica that counted only its own calls would,
 * once called again, admit volumes past a growth limit the other replica's volumes had reached and
 * size the OSTs for too little, and would never see the capacity another replica (or the leader's
 * sweep of abandoned volumes) had freed.
 *
 * <p>Volumes are keyed by their CSI name, which names one volume on one filesystem.
 */
public final class CommittedCapacity {
  private static final class Counted {
    final String fsName;
    long recorded;
    /** What this controller's write in flight will record; 0 when none is. */
    long reserved;

    Counted(String fsName) {
      this.fsName = fsName;
    }

    long bytes() {
      return Math.max(recorded, reserved);
    }
  }

  /** A write in flight. Close it once the write has returned or failed: the record then counts for itself. */
  public interface Reservation extends AutoCloseable {
    @Override
    void close();
  }

  private final Map<String, Counted> volumes = new HashMap<>();
  private final Map<String, Long> filesystems = new HashMap<>();

  /** The volume named {@code name} has a record holding {@code bytes} on filesystem {@code fsName}. */
  public synchronized void recorded(String name, String fsName, long bytes) {
    Counted counted = volumes.get(name);
    if (counted != null && !counted.fsName.equals(fsName)) {
      // A volume of that name on another filesystem: the old one's record is gone.
      filesystems.merge(counted.fsName, -counted.bytes(), Long::sum);
      volumes.remove(name);
    }
    Counted current = volumes.computeIfAbsent(name, n -> new Counted(fsName));
    recount(name, current, () -> current.recorded = bytes);
  }

  /** The volume named {@code name} has no record (any more). */
  public synchronized void unrecorded(String name) {
    Counted counted = volumes.get(name);
    if (counted != null) {
      recount(name, counted, () -> counted.recorded = 0);
    }
  }

  /**
   * Counts {@code bytes} for the volume named {@code name} until the returned reservation is
   * closed, if the filesystem's committed capacity stays within {@code limit}; else throws what
   * {@code onLimit} gives. For a volume already recorded it is its new total (an expansion), and
   * only the growth is checked. One write per volume is in flight at a time (the caller holds the
   * volume's lock).
   */
  public synchronized Reservation reserve(String name, String fsName, long bytes, long limit, Supplier<CsiException> onLimit) {
    Counted counted = volumes.get(name);
    long before = counted == null ? 0 : counted.bytes();
    long after = Math.max(counted == null ? 0 : counted.recorded, bytes);
    if (committed(fsName) - before + after > limit) {
      throw onLimit.get();
    }
    Counted reserving = volumes.computeIfAbsent(name, n -> new Counted(fsName));
    if (reserving.reserved != 0) {
      throw new IllegalStateException("volume " + name + " already has a write in flight");
    }
    recount(name, reserving, () -> reserving.reserved = bytes);
    return () -> {
      synchronized (this) {
        recount(name, reserving, () -> reserving.reserved = 0);
      }
    };
  }

  /** Capacity committed to the filesystem's volumes. */
  public synchronized long committed(String fsName) {
    return filesystems.getOrDefault(fsName, 0L);
  }

  /** Applies {@code change} to one volume's count and carries the difference to its filesystem's sum. */
  private void recount(String name, Counted counted, Runnable change) {
    long before = counted.bytes();
    change.run();
    long difference = counted.bytes() - before;
    if (difference != 0) {
      filesystems.merge(counted.fsName, difference, Long::sum);
    }
    if (counted.recorded == 0 && counted.reserved == 0 && volumes.get(name) == counted) {
      volumes.remove(name);
    }
  }
}
