package dev.lustrecsi.node.mount;

import java.nio.file.Path;

/**
 * One line of /proc/self/mountinfo (proc(5)).
 *
 * @param id the mount id
 * @param parentId the parent mount's id
 * @param device major:minor of the filesystem (shared by every mount of one Lustre filesystem: not an identity)
 * @param root the directory of the filesystem that is mounted here ("/" for a whole filesystem, a subdirectory for a bind mount)
 * @param mountPoint where it is mounted
 * @param options per-mount options (ro, nosuid, ...)
 * @param fsType the filesystem type
 * @param source the mount source (for Lustre, {@code nids:/fsname})
 */
public record MountEntry(int id, int parentId, String device, String root, Path mountPoint, String options, String fsType, String source) {
  public boolean readOnly() {
    for (String option : options.split(",")) {
      if (option.equals("ro")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this mount shows a directory at or below what {@code other} shows. A bind mount keeps
   * the source of the mount it was taken from and records the subdirectory as its root, so
   * source, type and root tell mounts apart. The device number does not: every client mount of
   * one Lustre filesystem shares it, separate subdirectory (fileset) mounts included.
   */
  public boolean isWithin(MountEntry other) {
    if (!source.equals(other.source) || !fsType.equals(other.fsType)) {
      return false;
    }
    return other.root.equals("/") || root.equals(other.root) || root.startsWith(other.root + "/");
  }

  /** Whether both show the same directory of the same mount source. */
  public boolean showsSameAs(MountEntry other) {
    return source.equals(other.source) && fsType.equals(other.fsType) && root.equals(other.root);
  }
}
