package dev.lustrecsi.sandbox;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.ProcessCommandRunner;
import dev.lustrecsi.node.mount.MountEntry;
import dev.lustrecsi.node.mount.MountTable;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The mounts a sandbox's node plugin made outside its state directory: the stage and publish
 * binds a CO asked for under an extra allowed root. Each shows part of the sandbox's simulated
 * Lustre, which lies in the state directory, so mountinfo tells them from anything else mounted
 * there: same source and filesystem type as the state directory, and a root inside it.
 */
final class SandboxMounts {
  private static final System.Logger LOG = System.getLogger(SandboxMounts.class.getName());

  private SandboxMounts() {}

  /** Unmounts, innermost first, every mount below {@code root} that shows part of {@code stateDir}; returns how many. */
  static int unmountBelow(Path root, Path stateDir) {
    List<MountEntry> entries = MountTable.ofThisProcess().entries();
    Optional<MountEntry> state = asMount(stateDir, entries);
    if (state.isEmpty()) {
      return 0;
    }
    // Mount ids grow with time and a mount inside another is made after it: highest first is innermost first.
    List<MountEntry> ours = entries.stream()
        .filter(m -> m.mountPoint().startsWith(root) && !m.mountPoint().equals(root) && m.isTakenFrom(state.get()))
        .sorted(Comparator.comparingInt(MountEntry::id).reversed())
        .toList();
    ProcessCommandRunner runner = new ProcessCommandRunner();
    for (MountEntry mount : ours) {
      try {
        runner.runChecked(Command.of("umount", mount.mountPoint().toString()));
      } catch (CommandFailedException e) {
        LOG.log(Level.WARNING, "could not unmount " + mount.mountPoint() + ": " + e.getMessage());
      }
    }
    return ours.size();
  }

  /** The directory as a bind mount of it would show in mountinfo: the source and type of the mount it lies on, and its root there. */
  private static Optional<MountEntry> asMount(Path dir, List<MountEntry> entries) {
    return entries.stream()
        .filter(m -> dir.startsWith(m.mountPoint()))
        .max(Comparator.comparingInt((MountEntry m) -> m.mountPoint().getNameCount()).thenComparingInt(MountEntry::id))
        .map(m -> {
          String below = m.mountPoint().relativize(dir).toString();
          String root = below.isEmpty() ? m.root() : m.root().equals("/") ? "/" + below : m.root() + "/" + below;
          // No peer group: whatever group the mount under it is in, every bind showing part of the
          // directory counts (the node plugin's own mounts of it are shared in groups of their own).
          return new MountEntry(m.id(), m.parentId(), m.device(), root, dir, m.options(), m.fsType(), m.source(), 0);
        });
  }
}
