package dev.lustrecsi.agent.service;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.volume.FsName;
import java.nio.file.Path;

/**
 * The filesystem this VM mounts as a client (on the MDS VM), where volume directories are made.
 * Its name is learnt from {@code lfs getname} rather than configured, so a request for another
 * filesystem, sent to the wrong VM by a stale address, is refused instead of acting on the wrong
 * data.
 */
final class ClientFilesystem {
  private final VolumeDirectories directories;
  private final LustreAdmin lustre;
  private volatile String fsName;

  ClientFilesystem(Path mount, LustreAdmin lustre) {
    this.directories = new VolumeDirectories(mount);
    this.lustre = lustre;
  }

  Path mount() {
    return directories.mount();
  }

  VolumeDirectories directories() {
    return directories;
  }

  /** Checks that the request's fs_name is the mounted filesystem. */
  void check(String requested) throws CommandFailedException {
    String problem = FsName.problem(requested);
    if (problem != null) {
      throw CsiException.invalidArgument("fs_name", problem);
    }
    String mounted = mountedName();
    if (!mounted.equals(requested)) {
      throw CsiException.failedPrecondition("fs_name: this server's client mount " + mount() + " holds filesystem " + mounted + ", not " + requested);
    }
  }

  private String mountedName() throws CommandFailedException {
    String known = fsName;
    if (known == null) {
      try {
        known = lustre.fsNameOf(mount());
      } catch (CommandFailedException e) {
        // Not mounted yet (the VM is still booting): worth a retry, not a hard failure.
        throw CsiException.unavailable("filesystem not mounted at " + mount() + ": " + e.getMessage());
      }
      fsName = known; // a mount's filesystem never changes under a running agent
    }
    return known;
  }
}
