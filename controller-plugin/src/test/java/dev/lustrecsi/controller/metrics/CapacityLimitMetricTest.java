package dev.lustrecsi.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.cluster.LustreBackend;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * lustre_csi_filesystem_capacity_limit_bytes is what LustreGrowthLimitNear divides the committed
 * bytes by ("CreateVolume past it is refused"): it must be the limit CreateVolume enforces,
 * overcommit included, or the alert fires on a filesystem with room (overcommit 2) and stays
 * silent on one already refusing volumes (a site's share of 0.5).
 */
class CapacityLimitMetricTest {
  private static LustreFilesystem filesystem(LustreFilesystemSpec spec, List<TargetStatus> targets) {
    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName(spec.fsName()).withNamespace("ns").withUid("u").build());
    filesystem.setSpec(spec);
    filesystem.setStatus(new LustreFilesystemStatus("Ready", 1L, List.of(), List.of(), targets, 0, null, null, null, null, null, null, null,
        null, null));
    return filesystem;
  }

  @Test
  void aDriverRunFilesystemsLimitCountsItsOvercommit() {
    LustreFilesystem doubled = filesystem(new LustreFilesystemSpec("fs1", "img:1", "1Gi", "1Gi", "10Gi", 1, 1, 4, 2.0, null, null, null,
        List.of("tcp"), null, null), List.of());
    assertThat(ControllerMetrics.capacityLimit(doubled)).isEqualTo(80.0 * Sizes.GIB)
        .isEqualTo((double) LustreBackend.state(doubled).capacityLimit());
    LustreFilesystem plain = filesystem(new LustreFilesystemSpec("fs2", "img:1", "1Gi", "1Gi", "10Gi", 1, 1, 4, null, null, null, null,
        List.of("tcp"), null, null), List.of());
    assertThat(ControllerMetrics.capacityLimit(plain)).isEqualTo(40.0 * Sizes.GIB);
    LustreFilesystem unbounded = filesystem(new LustreFilesystemSpec("fs3", "img:1", "1Gi", "1Gi", "10Gi", 1, 1, null, null, null, null,
        null, List.of("tcp"), null, null), List.of());
    assertThat(ControllerMetrics.capacityLimit(unbounded)).isInfinite();
  }

  @Test
  void aSitesLimitIsItsShareOfTheOstCapacity() {
    List<TargetStatus> osts = List.of(
        new TargetStatus("site-OST0000", "OST", 0, "management-host", null, "Up", 10 * Sizes.GIB, Sizes.GIB),
        new TargetStatus("site-OST0001", "OST", 1, "management-host", null, "Down", 10 * Sizes.GIB, Sizes.GIB));
    LustreFilesystem half = filesystem(LustreFilesystemSpec.external("site", new LustreFilesystemSpec.External("10.0.0.1@tcp", null,
        "mgmt.example.org:9443", null, 0.5, null)), osts);
    assertThat(ControllerMetrics.capacityLimit(half)).isEqualTo(10.0 * Sizes.GIB)
        .isEqualTo((double) LustreBackend.state(half).capacityLimit());
  }
}
