package dev.lustrecsi.agent.lustre;

import java.nio.file.Path;

/**
 * Where a server VM keeps a target: the setup script (lustre-csi-setup.sh, which the controller
 * writes into every VM) formats target SERIAL into the ZFS dataset {@code lcsi-FSNAME-SERIAL/SERIAL}
 * and mounts it at {@code /lustre/targets/SERIAL}, SERIAL being {@code ost%04x} for an OST. These
 * are the script's defaults; the agent needs them to let go of an OST it is told to release.
 */
public final class TargetPaths {
  /** The script's MOUNT_ROOT. */
  public static final Path MOUNT_ROOT = Path.of("/lustre/targets");
  /**
   * Where the agent mounts snapshots beside the live filesystem unless told otherwise: a
   * directory of its own next to the targets' mount points, which nothing else uses.
   */
  public static final Path SNAPSHOT_ROOT = Path.of("/lustre/snapshots");
  /** The script's POOL_PREFIX without the fsname. */
  public static final String POOL_PREFIX = "lcsi-";

  private TargetPaths() {}

  /** The disk serial, and the name of mount point and dataset: "ost000a". */
  public static String serial(int ostIndex) {
    return String.format("ost%04x", ostIndex);
  }

  public static Path ostMountPoint(int ostIndex) {
    return MOUNT_ROOT.resolve(serial(ostIndex));
  }

  public static String ostPool(String fsName, int ostIndex) {
    return POOL_PREFIX + fsName + "-" + serial(ostIndex);
  }
}
