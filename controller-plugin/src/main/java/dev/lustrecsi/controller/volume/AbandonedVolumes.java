package dev.lustrecsi.controller.volume;

import dev.lustrecsi.controller.volume.VolumeRecord.State;
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
 * Withdraws volumes their CO has given up on. A CO that stops retrying a CreateVolume that never
 * succeeded (its claim deleted meanwhile, and its provisioner restarted, which forgets the claims
 * it was still retrying) never learns the volume's id, so it never calls DeleteVolume: the
 * record, its directory, its committed capacity and, for a restore, its mounted snapshot would
 * stay for ever. A volume still CREATING that no CreateVolume has asked for in the abandonment time is
 * withdrawn here, as a DeleteVolume would remove it; so is a deletion left unfinished that long.
 * The leader calls {@link #sweep} every quarter of that time.
 *
 * <p>Nothing a CO knows is lost: a volume is READY before its id is ever returned, and READY
 * volumes are never touched. If the CO does come back for a withdrawn volume, its CreateVolume
 * makes it again. The time is the only signal used, so this needs no access to claims and
 * works for any CO; it should be well above the CO's longest gap between retries (the
 * external-provisioner's is five minutes).
 */
public final class AbandonedVolumes {
  private static final System.Logger LOG = System.getLogger(AbandonedVolumes.class.getName());

  private final VolumeProvisioner provisioner;
  private final Supplier<List<VolumeRecord>> volumes;
  private final Clock clock;
  private final Abandonment abandonment;
  /** Volumes withdrawn by this controller since it started, per filesystem: a metric. */
  private final ConcurrentMap<String, LongAdder> withdrawn = new ConcurrentHashMap<>();

  /**
   * @param volumes every volume record
   * @param abandonment how long a volume not READY may go without being asked for
   */
  public AbandonedVolumes(VolumeProvisioner provisioner, Supplier<List<VolumeRecord>> volumes, Clock clock, Abandonment abandonment) {
    this.provisioner = provisioner;
    this.volumes = volumes;
    this.clock = clock;
    this.abandonment = abandonment;
  }

  /** One pass: withdraws every abandoned volume; returns the names of those withdrawn. */
  public List<String> sweep() {
    Instant now = clock.instant();
    List<String> names = new ArrayList<>();
    for (VolumeRecord volume : volumes.get()) {
      if (volume.state() == State.READY || !abandonment.abandoned(volume.lastRequested(), now)) {
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

}
