package dev.lustrecsi.controller.snapshot;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.controller.snapshot.SnapshotRecord.State;
import dev.lustrecsi.controller.volume.Abandonment;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Withdraws snapshots their CO has given up on. A CreateSnapshot that kept failing (its
 * filesystem's servers unreachable, say) while its VolumeSnapshot was deleted is never retried,
 * and the CO, which never learned the snapshot's id, never calls DeleteSnapshot: its record would
 * stay CREATING for ever, and with it whatever pieces of its Lustre snapshot a failed or crashed
 * attempt left on the targets (ZFS snapshots, which keep every block they hold from being freed).
 * A snapshot still CREATING that no call has asked for in the abandonment time is withdrawn here
 * as DeleteSnapshot would delete it; so is a deletion left unfinished that long. READY snapshots,
 * whose ids a CO may hold, are never touched. The leader calls {@link #sweep} every quarter of
 * that time.
 */
public final class AbandonedSnapshots {
  private static final System.Logger LOG = System.getLogger(AbandonedSnapshots.class.getName());

  private final SnapshotService snapshots;
  private final Supplier<List<SnapshotRecord>> records;
  private final Clock clock;
  private final Abandonment abandonment;
  /** Snapshots withdrawn by this controller since it started, per filesystem: a metric. */
  private final ConcurrentMap<String, LongAdder> withdrawn = new ConcurrentHashMap<>();

  /** @param records every snapshot record */
  public AbandonedSnapshots(SnapshotService snapshots, Supplier<List<SnapshotRecord>> records, Clock clock, Abandonment abandonment) {
    this.snapshots = snapshots;
    this.records = records;
    this.clock = clock;
    this.abandonment = abandonment;
  }

  /** One pass: withdraws every abandoned snapshot; returns the names of those withdrawn. */
  public List<String> sweep() {
    Instant now = clock.instant();
    List<String> names = new ArrayList<>();
    for (SnapshotRecord snapshot : records.get()) {
      if (snapshot.state() == State.READY || !abandonment.abandoned(snapshot.lastRequested(), now)) {
        continue;
      }
      try {
        if (snapshots.withdrawAbandoned(snapshot)) {
          names.add(snapshot.name());
          withdrawn.computeIfAbsent(snapshot.id().fsName(), fs -> new LongAdder()).increment();
        }
      } catch (RuntimeException e) {
        // Its servers unreachable, say: the record stays DELETING and the next pass finishes it.
        LOG.log(Level.WARNING, "withdrawing abandoned snapshot " + CallerText.quote(snapshot.name()) + " failed, to be retried: "
            + e.getMessage());
      }
    }
    return names;
  }

  /** How many snapshots this controller has withdrawn since it started, per filesystem. */
  public Map<String, Long> withdrawnByFilesystem() {
    Map<String, Long> counts = new TreeMap<>();
    withdrawn.forEach((fsName, count) -> counts.put(fsName, count.sum()));
    return counts;
  }
}
