package dev.lustrecsi.node.mount;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a starting node plugin does with what its predecessor left. Mountinfo is the plugin's
 * state (it keeps no other), so this is a rebuild from it: a filesystem mount that some staged
 * or published volume still shows is adopted as it is; one that nothing uses is an orphan and
 * is unmounted; an empty mount point with nothing mounted (a crash between mkdir and mount) is
 * removed. Nothing in use is ever unmounted.
 */
public final class Adoption {
  private static final System.Logger LOG = System.getLogger(Adoption.class.getName());

  private Adoption() {}

  /**
   * @param adopted filesystems kept because volumes use them
   * @param released orphan filesystem mounts unmounted
   * @param removedMountPoints empty mount points removed
   */
  public record Report(List<String> adopted, List<String> released, List<String> removedMountPoints) {}

  public static Report run(FilesystemMounts filesystems) {
    List<String> adopted = new ArrayList<>();
    List<String> released = new ArrayList<>();
    for (MountEntry mount : filesystems.filesystemMounts()) {
      String fsName = mount.mountPoint().getFileName().toString();
      int users = filesystems.users(mount).size();
      if (users > 0) {
        adopted.add(fsName);
        LOG.log(Level.INFO, "adopted filesystem " + fsName + " mounted by a previous run: " + users + " volume mounts use it");
        continue;
      }
      filesystems.releaseIfUnused(fsName);
      if (filesystems.filesystemMounts().stream().noneMatch(m -> m.mountPoint().equals(mount.mountPoint()))) {
        released.add(fsName);
      }
    }
    return new Report(adopted, released, removeEmptyMountPoints(filesystems));
  }

  private static List<String> removeEmptyMountPoints(FilesystemMounts filesystems) {
    Path root = filesystems.mountRoot();
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    Set<Path> mounted = filesystems.filesystemMounts().stream().map(MountEntry::mountPoint).collect(Collectors.toSet());
    List<String> removed = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      for (Path dir : children.toList()) {
        if (mounted.contains(dir) || !Files.isDirectory(dir)) {
          continue;
        }
        try {
          Files.delete(dir);
          removed.add(dir.getFileName().toString());
        } catch (DirectoryNotEmptyException e) {
          // Not a bare mount point: someone's data; leave it.
          LOG.log(Level.WARNING, "mount point " + dir + " holds files but nothing is mounted on it; leaving it");
        }
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot tidy " + root + ": " + e.getMessage());
    }
    return removed;
  }
}
