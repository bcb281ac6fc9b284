package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.node.stats.VolumeStats;
import dev.lustrecsi.node.stats.VolumeStatsSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * statfs of a volume as Lustre 2.16's statfs_project answers it: the project quota as the size,
 * the project's usage as used. The local disk under the simulation would report its own size
 * instead, so the sandbox computes what the Lustre client kernel would.
 */
public final class SimulatedStatfs implements VolumeStatsSource {
  /** Inodes a volume may hold in the simulation; Lustre's limit would be the MDT's or an inode quota. */
  static final long INODE_LIMIT = 1L << 20;

  private final SimulatedNamespaces lustre;

  public SimulatedStatfs(SimulatedNamespaces lustre) {
    this.lustre = lustre;
  }

  @Override
  public VolumeStats stats(java.util.Optional<VolumeId> provisioned, Path volumePath) throws IOException {
    if (!Files.isDirectory(volumePath)) {
      throw new IOException("statfs " + volumePath + ": No such file or directory");
    }
    if (provisioned.isEmpty()) {
      // A static volume has no project quota here: Lustre would report the whole filesystem, the sandbox its usage.
      long[] used = SimulatedLustre.walk(volumePath);
      return new VolumeStats(used[0], 0, used[0], INODE_LIMIT, Math.max(0, INODE_LIMIT - used[1]), used[1]);
    }
    VolumeId volume = provisioned.get();
    long quota = lustre.quotaBytes(volume).orElseThrow(() -> new IOException("volume " + volume + " has no project id"));
    long[] used = SimulatedLustre.walk(volumePath);
    long available = Math.max(0, quota - used[0]);
    return new VolumeStats(quota, available, used[0], INODE_LIMIT, Math.max(0, INODE_LIMIT - used[1]), used[1]);
  }
}
