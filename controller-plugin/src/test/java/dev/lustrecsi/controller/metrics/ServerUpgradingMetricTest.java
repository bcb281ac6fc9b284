package dev.lustrecsi.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.UpgradeStatus;
import dev.lustrecsi.controller.reconciler.RollingUpgrade;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * lustre_csi_server_upgrading is what keeps LustreTargetDown quiet about the server a rolling
 * upgrade is replacing: only while the upgrade still waits for it within its limit. Once it
 * stalls, its targets are down for a reason nobody planned and the critical alert must count them.
 */
class ServerUpgradingMetricTest {
  private static LustreFilesystemStatus with(UpgradeStatus upgrade) {
    return LustreFilesystemStatus.empty().withUpgrade(upgrade, List.of());
  }

  @Test
  void namesTheServerBeingReplacedOnlyWhileTheUpgradeWaitsForIt() {
    assertThat(ControllerMetrics.upgrading(LustreFilesystemStatus.empty())).as("no upgrade ever").isEmpty();
    assertThat(ControllerMetrics.upgrading(with(new UpgradeStatus("img:2", RollingUpgrade.UPGRADING, "fs-oss0", "2026-12-07T20:00:00Z",
        0, 3, "0/3 fs-oss0", "")))).contains("fs-oss0");
    assertThat(ControllerMetrics.upgrading(with(new UpgradeStatus("img:2", RollingUpgrade.STALLED, "fs-oss0", "2026-12-07T20:00:00Z",
        0, 3, "stalled at fs-oss0 (0/3)", "")))).as("stalled: its targets are down for real").isEmpty();
    assertThat(ControllerMetrics.upgrading(with(new UpgradeStatus("img:2", RollingUpgrade.COMPLETE, null, null, 3, 3, "3/3", ""))))
        .isEmpty();
  }
}
