package dev.lustrecsi.controller.content;

import dev.lustrecsi.common.naming.Sha256;

/**
 * The name of the Lustre snapshot a clone takes of its source: derived from the clone's CSI name,
 * so that it is known, and recorded, before the snapshot is taken, and a retried CreateVolume
 * finds the pieces an interrupted one left. The prefix tells it apart from CSI snapshots'
 * ({@code lcsi-DATE-TIME-RANDOM}) in {@code zfs list}.
 */
public final class CloneSnapshotNames {
  private CloneSnapshotNames() {}

  public static String of(String cloneName) {
    return "lcsi-clone-" + Sha256.hex(cloneName, 8);
  }
}
