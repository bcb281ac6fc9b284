package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.node.stats.VolumeStats;
import dev.lustrecsi.node.stats.VolumeStatsSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * statfs of a volume as Lustre 2.16's statfs_project answers it: the project quota as the size,
 * the project's usage as used. The local disk under the simulation would report its own size
 * instead, so the sandbox computes what the Lustre client kernel would. That includes a project
 * at or past its limit (root writes past it unless root_prj_enable is set): the client reports
 * the limit as the size and nothing free (ll_statfs_project), so used never shows above the size.
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
      long[] used = walk(volumePath);
      return new VolumeStats(used[0], 0, used[0], INODE_LIMIT, Math.max(0, INODE_LIMIT - used[1]), used[1]);
    }
    VolumeId volume = provisioned.get();
    long quota = lustre.quotaBytes(volume).orElseThrow(() -> new IOException("volume " + volume + " has no project id"));
    long[] used = walk(volumePath);
    long available = Math.max(0, quota - used[0]);
    return new VolumeStats(quota, available, quota - available, INODE_LIMIT, Math.max(0, INODE_LIMIT - used[1]), used[1]);
  }

  /** Bytes and inodes (files and directories) below {@code directory}, as the project's accounting would count them. */
  static long[] walk(Path directory) {
    long[] totals = {0, 0};
    try {
      Files.walkFileTree(directory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          totals[1]++;
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          totals[0] += attrs.size();
          totals[1]++;
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE; // deleted while walking
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return totals;
  }
}
