package dev.lustrecsi.node.csi;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.node.mount.FilesystemMounts;
import dev.lustrecsi.node.mount.MountEntry;
import dev.lustrecsi.node.mount.MountTable;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which volume a path of this node holds, from mountinfo: what the node service checks before it
 * lets a call that names one volume touch a path, so that a caller who pairs one volume's id
 * with another volume's path never reaches that other volume.
 */
final class VolumePaths {
  private final MountTable mounts;
  private final FilesystemMounts filesystems;

  VolumePaths(MountTable mounts, FilesystemMounts filesystems) {
    this.mounts = mounts;
    this.filesystems = filesystems;
  }

  /**
   * The volume {@code mount} shows, if it is the one named: a provisioned id, or a static id
   * with its volume context, names one directory of one filesystem; {@code named} is empty for a
   * static id alone, which names none, and then any volume of this driver's filesystems matches.
   */
  Optional<MountedVolume> shown(MountEntry mount, Optional<VolumeLocation> named) {
    return MountedVolume.of(mount, filesystems).filter(shown -> named.map(shown::is).orElse(true));
  }

  /**
   * A path to create, mount on or remove must lie neither inside a volume this node has mounted
   * (that would write into another volume, or remove what is in it) nor above one (a mount there
   * would hide it, and its unmount would then fail).
   */
  void requireApart(Path path, String field) {
    for (MountEntry mount : mounts.entries()) {
      Path point = mount.mountPoint();
      if (!point.equals(path) && (path.startsWith(point) || point.startsWith(path)) && filesystems.filesystemOf(mount).isPresent()) {
        throw CsiException.invalidArgument(field, CallerText.quote(path.toString()) + (path.startsWith(point) ? " lies inside" : " holds")
            + " the volume mounted at " + CallerText.quote(point.toString()));
      }
    }
  }
}
