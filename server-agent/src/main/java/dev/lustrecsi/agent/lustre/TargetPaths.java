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
  /**
   * The script's RELEASED_PROPERTY: the ZFS user property ("yes") with which the agent tags a
   * drained OST's dataset before letting go of it, so that the script, which runs every minute
   * and on every boot, leaves the OST unmounted while its disk is still attached.
   */
  public static final String RELEASED_PROPERTY = "lustre-csi:released";

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

  /** The dataset mkfs.lustre made in the pool: "lcsi-fs1-ost000a/ost000a". */
  public static String ostDataset(String fsName, int ostIndex) {
    return ostPool(fsName, ostIndex) + "/" + serial(ostIndex);
  }
}
