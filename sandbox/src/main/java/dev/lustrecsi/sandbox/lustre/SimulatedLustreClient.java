package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.node.mount.LustreClient;
import dev.lustrecsi.node.mount.LustreSource;
import dev.lustrecsi.node.mount.Mounter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The sandbox's stand-in for {@code mount -t lustre}: a bind mount of the simulated filesystem's
 * namespace. Lustre client options have no meaning here and are dropped; everything the node
 * plugin does with the mount afterwards (bind mounts, mountinfo, unmounts) is the real thing.
 */
public final class SimulatedLustreClient implements LustreClient {
  private final SimulatedNamespaces lustre;
  private final Mounter mounter;

  public SimulatedLustreClient(SimulatedNamespaces lustre, Mounter mounter) {
    this.lustre = lustre;
    this.mounter = mounter;
  }

  @Override
  public void mount(LustreSource source, Path mountPoint, List<String> options) throws CommandFailedException {
    if (!source.mgsNodes().isEmpty() && !source.mountSource().endsWith(":/" + source.fsName())) {
      // The same source string mount.lustre would get; the simulation has one MGS, so the NIDs themselves are not checked.
      throw new IllegalStateException("mount source " + source.mountSource() + " does not name filesystem " + source.fsName());
    }
    Path namespace = lustre.namespace(source.fsName());
    if (!Files.isDirectory(namespace)) {
      // What mount.lustre says when the MGS knows no such filesystem (reference: mount_wrong_fsname).
      throw new CommandFailedException(new dev.lustrecsi.common.exec.Command(List.of("mount", "-t", "lustre", source.fsName()), java.time.Duration.ZERO),
          "mount.lustre: mount " + source.fsName() + " at " + mountPoint + " failed: No such file or directory\nIs the MGS specification correct?\nIs the filesystem name correct?");
    }
    mounter.bind(namespace, mountPoint, List.of());
  }

  @Override
  public String unavailableReason() {
    return lustre.reachable() ? null : "the simulated Lustre servers are not running";
  }
}
