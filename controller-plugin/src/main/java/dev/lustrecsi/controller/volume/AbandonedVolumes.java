package dev.lustrecsi.controller.volume;

import dev.lustrecsi.controller.volume.VolumeRecord.State;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Withdraws volumes their CO has given up on. A CO that stops retrying a CreateVolume that never
 * succeeded (its claim deleted meanwhile, and its provisioner restarted, which forgets the claims
 * it was still retrying) never learns the volume's id, so it never calls DeleteVolume: the
 * record, its directory, its committed capacity and, for a restore, its mounted snapshot would
 * stay for ever. A volume still CREATING that no CreateVolume has asked for in {@code after} is
 * withdrawn here, as a DeleteVolume would remove it; so is a deletion left unfinished that long.
 *
 * <p>Nothing a CO knows is lost: a volume is READY before its id is ever returned, and READY
 * volumes are never touched. If the CO does come back for a withdrawn volume, its CreateVolume
 * makes it again. The time is the only signal used, so this needs no access to claims and
 * works for any CO; it should be well above the CO's longest gap between retries (the
 * external-provisioner's is five minutes).
 */
public final class AbandonedVolumes implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AbandonedVolumes.class.getName());

  private final VolumeProvisioner provisioner;
  private final Supplier<List<VolumeRecord>> volumes;
  private final Clock clock;
  private final Duration after;
  /** Volumes withdrawn by this controller since it started, per filesystem: a metric. */
  private final ConcurrentMap<String, LongAdder> withdrawn = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("abandoned-volumes").factory());

  /**
   * @param volumes every volume record
   * @param after how long a volume not READY may go without being asked for
   */
  public AbandonedVolumes(VolumeProvisioner provisioner, Supplier<List<VolumeRecord>> volumes, Clock clock, Duration after) {
    this.provisioner = provisioner;
    this.volumes = volumes;
    this.clock = clock;
    this.after = after;
  }

  /** One pass: withdraws every abandoned volume; returns the names of those withdrawn. */
  public List<String> sweep() {
    Instant before = clock.instant().minus(after);
    List<String> names = new ArrayList<>();
    for (VolumeRecord volume : volumes.get()) {
      if (volume.state() == State.READY || !volume.lastRequested().isBefore(before)) {
        continue;
      }
      try {
        if (provisioner.withdrawAbandoned(volume)) {
          names.add(volume.name());
          withdrawn.computeIfAbsent(volume.id().fsName(), fs -> new LongAdder()).increment();
        }
      } catch (RuntimeException e) {
        // Its servers unreachable, say: the record stays DELETING and the next pass finishes it.
        LOG.log(Level.WARNING, "withdrawing abandoned volume " + volume.name() + " failed, to be retried: " + e.getMessage());
      }
    }
    return names;
  }

  /** How many volumes this controller has withdrawn since it started, per filesystem. */
  public Map<String, Long> withdrawnByFilesystem() {
    Map<String, Long> counts = new TreeMap<>();
    withdrawn.forEach((fsName, count) -> counts.put(fsName, count.sum()));
    return counts;
  }

  /** Sweeps every quarter of {@code after} while {@code leading} says this replica leads. */
  public void startPeriodic(BooleanSupplier leading) {
    long period = Math.max(1, after.dividedBy(4).toMillis());
    timer.scheduleWithFixedDelay(() -> {
      if (leading.getAsBoolean()) {
        try {
          sweep();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "sweep for abandoned volumes failed: " + e.getMessage());
        }
      }
    }, period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
