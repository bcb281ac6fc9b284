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
 * @param peerGroup the propagation peer group ({@code shared:N}); 0 for a mount that is not shared
 */
public record MountEntry(int id, int parentId, String device, String root, Path mountPoint, String options, String fsType, String source,
    int peerGroup) {
  public boolean readOnly() {
    for (String option : options.split(",")) {
      if (option.equals("ro")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this mount was taken from {@code other} (a bind of it, or a bind of such a bind) and
   * shows a directory at or below what it shows. A bind mount keeps the source of the mount it
   * was taken from and records the subdirectory as its root; the device number tells nothing,
   * as every client mount of one Lustre filesystem shares it. Source and root do not tell a bind
   * of {@code other} from a second client mount of the same filesystem (an admin's, say), or from
   * a bind of that: the kernel links a bind mount to its origin only by the peer group, which a
   * bind of a shared mount joins. So when {@code other} is shared, this mount must be in its peer
   * group. A private {@code other} offers no such link, and every mount of its source counts:
   * keeping a mount that might be in use beats unmounting one that is.
   */
  public boolean isTakenFrom(MountEntry other) {
    if (!source.equals(other.source) || !fsType.equals(other.fsType)) {
      return false;
    }
    if (other.peerGroup != 0 && peerGroup != other.peerGroup) {
      return false;
    }
    return other.root.equals("/") || root.equals(other.root) || root.startsWith(other.root + "/");
  }

  /** Whether both show the same directory of the same mount source. */
  public boolean showsSameAs(MountEntry other) {
    return source.equals(other.source) && fsType.equals(other.fsType) && root.equals(other.root);
  }
}
