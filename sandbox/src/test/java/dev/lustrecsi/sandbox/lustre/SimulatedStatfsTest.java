package dev.lustrecsi.sandbox.lustre;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.node.stats.VolumeStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox's statfs of a volume must answer as a Lustre client's statfs_project would. */
class SimulatedStatfsTest {
  static final long QUOTA = 1 << 20;

  @TempDir Path lustre;

  final SimulatedNamespaces namespaces = new SimulatedNamespaces() {
    @Override
    public Path namespace(String fsName) {
      return lustre.resolve(fsName);
    }

    @Override
    public OptionalLong quotaBytes(VolumeId volume) {
      return OptionalLong.of(QUOTA);
    }

    @Override
    public boolean reachable() {
      return true;
    }
  };

  VolumeStats statsAfterWriting(long bytes) throws Exception {
    Path volume = Files.createDirectories(lustre.resolve("fs1/pvc-a"));
    Files.write(volume.resolve("data"), new byte[(int) bytes]);
    return new SimulatedStatfs(namespaces).stats(VolumeId.parse("fs1/pvc-a"), volume);
  }

  @Test
  void belowTheQuotaUsedIsWhatTheProjectHolds() throws Exception {
    VolumeStats stats = statsAfterWriting(QUOTA / 4);
    assertThat(stats.totalBytes()).isEqualTo(QUOTA);
    assertThat(stats.usedBytes()).isEqualTo(QUOTA / 4);
    assertThat(stats.availableBytes()).isEqualTo(QUOTA - QUOTA / 4);
  }

  /** Root writes past a project quota (no root_prj_enable); ll_statfs_project then reports the limit as size and nothing free. */
  @Test
  void pastTheQuotaTheSizeIsTheLimitAndNothingIsFree() throws Exception {
    VolumeStats stats = statsAfterWriting(3 * QUOTA);
    assertThat(stats.totalBytes()).isEqualTo(QUOTA);
    assertThat(stats.availableBytes()).isZero();
    assertThat(stats.usedBytes()).as("never more than the size").isEqualTo(QUOTA);
  }
}
