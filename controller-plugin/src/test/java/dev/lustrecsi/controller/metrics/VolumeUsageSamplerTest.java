package dev.lustrecsi.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.lustre.DirectoryUsage;
import dev.lustrecsi.controller.parameters.Striping;
import dev.lustrecsi.controller.volume.VolumeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The bound on volume series: the largest quotas first, the rest counted, a failed read keeps the last sample. */
class VolumeUsageSamplerTest {
  final List<VolumeRecord> volumes = new ArrayList<>();
  final Set<String> unreachable = ConcurrentHashMap.newKeySet();
  final List<String> read = new ArrayList<>();

  VolumeUsageSampler sampler(int limit) {
    return new VolumeUsageSampler(() -> List.copyOf(volumes), volume -> {
      if (unreachable.contains(volume.name())) {
        throw CsiException.unavailable("the MDS of filesystem fs1 is not running; retry later");
      }
      read.add(volume.name());
      return new DirectoryUsage(volume.capacityBytes() / 2, volume.capacityBytes(), 7);
    }, limit);
  }

  static VolumeRecord volume(String name, long capacity, VolumeRecord.State state) {
    return new VolumeRecord(name, new VolumeId("fs1", name), capacity, new Striping(0, 0, ""), 1000, state, Map.of(), java.time.Instant.EPOCH);
  }

  @Test
  void onlyTheLargestVolumesUpToTheLimitAreReadAndTheRestAreCounted() {
    volumes.addAll(List.of(volume("small", 1 << 20, VolumeRecord.State.READY), volume("large", 8L << 30, VolumeRecord.State.READY),
        volume("medium", 1L << 30, VolumeRecord.State.READY), volume("coming", 16L << 30, VolumeRecord.State.CREATING)));
    VolumeUsageSampler sampler = sampler(2);
    sampler.sampleOnce();
    assertThat(read).containsExactly("large", "medium");
    assertThat(sampler.samples()).extracting(VolumeUsageSampler.Sample::volume).containsExactlyInAnyOrder("large", "medium");
    assertThat(sampler.samples()).filteredOn(s -> s.volume().equals("large")).singleElement()
        .isEqualTo(new VolumeUsageSampler.Sample("fs1", "large", 8L << 30, 4L << 30, 7));
    assertThat(sampler.omitted()).as("ready volumes left out; one still being created is not counted").isEqualTo(1);
  }

  @Test
  void aVolumeWhoseReadFailsKeepsItsLastSampleAndADeletedOneGoes() {
    volumes.addAll(List.of(volume("a", 1L << 30, VolumeRecord.State.READY), volume("b", 2L << 30, VolumeRecord.State.READY)));
    VolumeUsageSampler sampler = sampler(10);
    sampler.sampleOnce();
    unreachable.add("a");
    volumes.removeIf(v -> v.name().equals("b"));
    sampler.sampleOnce();
    assertThat(sampler.samples()).extracting(VolumeUsageSampler.Sample::volume).containsExactly("a");
    sampler.clear();
    assertThat(sampler.samples()).isEmpty();
  }
}
