package dev.lustrecsi.node.csi;

import dev.lustrecsi.node.mount.FilesystemMounts;
import dev.lustrecsi.node.mount.MountEntry;
import java.util.Optional;

/**
 * Which volume a mount shows, as mountinfo tells it: the filesystem mount of this node it was
 * bound from, and the directory of that filesystem its root is. This, and never the volume id a
 * caller names, says whose data lies at a path: a caller who pairs one volume's id with another
 * volume's path must not reach that other volume.
 *
 * @param fsName the filesystem
 * @param directory the directory relative to the filesystem root; empty for the root itself
 */
record MountedVolume(String fsName, String directory) {
  /** What the kernel appends to a mount's root once the directory it shows has been removed. */
  private static final String DELETED = "//deleted";

  /** The volume a mount shows; empty when it shows none of this node's Lustre filesystems. */
  static Optional<MountedVolume> of(MountEntry mount, FilesystemMounts filesystems) {
    for (MountEntry fs : filesystems.filesystemMounts()) {
      if (mount.id() != fs.id() && mount.isTakenFrom(fs)) {
        String name = fs.mountPoint().getFileName().toString();
        return Optional.of(new MountedVolume(name, relative(stripDeleted(mount.root()), fs.root())));
      }
    }
    return Optional.empty();
  }

  /** Whether this is the volume at {@code location}. */
  boolean is(VolumeLocation location) {
    return fsName.equals(location.fsName()) && directory.equals(location.directory());
  }

  private static String stripDeleted(String root) {
    return root.endsWith(DELETED) ? root.substring(0, root.length() - DELETED.length()) : root;
  }

  private static String relative(String root, String fsRoot) {
    if (root.equals(fsRoot)) {
      return "";
    }
    return fsRoot.equals("/") ? root.substring(1) : root.substring(fsRoot.length() + 1);
  }
}
