package dev.lustrecsi.controller.lustre;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.parameters.Striping;
import java.util.Optional;

/**
 * The controller's view of Lustre servers: filesystems, their OSTs, and volume directories.
 * This is the edge below which the sandbox simulates: on a cluster it is backed by the
 * LustreFilesystem reconciler (server VMs in KubeVirt) and the server agent; in the sandbox by a
 * simulated Lustre over local directories. Everything above it (validation, the journal,
 * growth, idempotency) is the same code in both.
 *
 * <p>Every method is idempotent: the controller may call it again after a crash or a retry.
 */
public interface LustreBackend {
  /** Creates the filesystem if it does not exist (with one OST) and returns its state. */
  FilesystemState ensureFilesystem(FilesystemSpec spec);

  /** The filesystem's state, or empty if it does not exist. */
  Optional<FilesystemState> describe(String fsName);

  /** Adds OSTs until the filesystem has at least {@code ostCount}; returns the new state. */
  FilesystemState ensureOstCount(String fsName, int ostCount);

  /**
   * Makes sure the volume directory exists with this layout, the project id set (inherited by
   * everything created inside), and a hard block quota of {@code quotaBytes} on the project.
   */
  void ensureVolumeDirectory(VolumeId volume, Striping striping, int projectId, long quotaBytes);

  /** Sets the project's hard block quota. */
  void setQuota(VolumeId volume, int projectId, long quotaBytes);

  /** Removes the directory with everything in it, and the project's quota. Absent is fine. */
  void deleteVolumeDirectory(VolumeId volume, int projectId);

  /** The directory's usage, or empty if the directory does not exist. */
  Optional<DirectoryUsage> usage(VolumeId volume, int projectId);

  /** Whether the backend can be reached at all (Probe). */
  boolean reachable();
}
