package dev.lustrecsi.node.mount;

import dev.lustrecsi.common.exec.CommandFailedException;
import java.nio.file.Path;
import java.util.List;

/**
 * Mounts a whole Lustre filesystem on this node. On a real node this is {@code mount -t lustre};
 * in the sandbox it binds the simulated filesystem's directory. It is the node plugin's only
 * contact with the Lustre client; everything else is bind mounts.
 */
public interface LustreClient {
  /**
   * Mounts the filesystem at {@code mountPoint}.
   *
   * @param source what to mount: fsname and MGS NIDs
   * @param options Lustre client options, already allow-listed
   */
  void mount(LustreSource source, Path mountPoint, List<String> options) throws CommandFailedException;

  /** Whether this node can mount Lustre at all (modules and mount helper present); null when it can, else why not. */
  String unavailableReason();
}
