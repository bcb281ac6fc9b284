package dev.lustrecsi.controller.metrics;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.lustre.DirectoryUsage;
import dev.lustrecsi.controller.volume.VolumeRecord;
import java.lang.System.Logger.Level;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads each volume's usage from its project quota (one {@code lfs quota} on the MDS agent per
 * volume) in the background, so a scrape never waits on an agent. At most {@code limit} volumes
 * are read, the largest quotas first: that bounds both the series Prometheus stores and the
 * commands the MDS runs per round; how many were left out is exported too. A volume whose read
 * fails keeps its last sample until the next round succeeds.
 */
final class VolumeUsageSampler {
  private static final System.Logger LOG = System.getLogger(VolumeUsageSampler.class.getName());

  /** One volume's usage as last read. */
  record Sample(String fsName, String volume, long quotaBytes, long usedBytes, long usedInodes) {}

  private final Supplier<List<VolumeRecord>> volumes;
  private final Function<VolumeRecord, DirectoryUsage> usage;
  private final int limit;
  private volatile Map<VolumeId, Sample> samples = Map.of();
  private volatile int omitted;

  VolumeUsageSampler(Supplier<List<VolumeRecord>> volumes, Function<VolumeRecord, DirectoryUsage> usage, int limit) {
    this.volumes = volumes;
    this.usage = usage;
    this.limit = limit;
  }

  /** One round over the ready volumes, largest quota first, up to the limit. */
  void sampleOnce() {
    List<VolumeRecord> ready = volumes.get().stream().filter(v -> v.state() == VolumeRecord.State.READY)
        .sorted(Comparator.comparingLong(VolumeRecord::capacityBytes).reversed().thenComparing(v -> v.id().toString()))
        .toList();
    List<VolumeRecord> chosen = ready.subList(0, Math.min(limit, ready.size()));
    Map<VolumeId, Sample> previous = samples;
    Map<VolumeId, Sample> next = new LinkedHashMap<>();
    for (VolumeRecord volume : chosen) {
      try {
        DirectoryUsage used = usage.apply(volume);
        next.put(volume.id(), new Sample(volume.id().fsName(), volume.name(), volume.capacityBytes(), used.usedBytes(), used.usedInodes()));
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "usage of " + volume.id() + " not read this round: " + e.getMessage());
        Sample last = previous.get(volume.id());
        if (last != null) {
          next.put(volume.id(), last);
        }
      }
    }
    samples = Map.copyOf(next);
    omitted = ready.size() - chosen.size();
  }

  /** Forgets everything: a replica that stops leading stops exporting what it can no longer vouch for. */
  void clear() {
    samples = Map.of();
    omitted = 0;
  }

  List<Sample> samples() {
    return List.copyOf(samples.values());
  }

  int omitted() {
    return omitted;
  }
}
