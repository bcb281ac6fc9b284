package dev.lustrecsi.agent.service;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.volume.FsName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The filesystem this VM mounts as a client (on the MDS VM), where volume directories are made.
 * Its name is learnt from {@code lfs getname} rather than configured, so a request for another
 * filesystem, sent to the wrong VM by a stale address, is refused instead of acting on the wrong
 * data.
 */
final class ClientFilesystem {
  /** How much of the status file a message quotes. */
  private static final int STATUS_BYTES = 300;

  private final VolumeDirectories directories;
  private final LustreAdmin lustre;
  private final Optional<Path> status;
  private volatile String fsName;

  /**
   * @param status where the VM's setup writes how its client mount stands, if it does: quoted
   *     when the mount is missing (on a fresh MDS it waits for the first OST, and says so there)
   */
  ClientFilesystem(Path mount, LustreAdmin lustre, Optional<Path> status) {
    this.directories = new VolumeDirectories(mount);
    this.lustre = lustre;
    this.status = status;
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
        // Not mounted yet (the VM is still booting, or no OST is up yet): worth a retry, not a hard failure.
        throw CsiException.unavailable("filesystem not mounted at " + mount() + ": " + e.getMessage() + statusText());
      }
      fsName = known; // a mount's filesystem never changes under a running agent
    }
    return known;
  }

  /** "; client mount: ..." from the status file, escaped and cut short; empty when there is none. */
  private String statusText() {
    if (status.isEmpty() || !Files.isReadable(status.get())) {
      return "";
    }
    try {
      String text = Files.readString(status.get()).strip();
      return text.isEmpty() ? "" : "; client mount: " + CallerText.printable(text, STATUS_BYTES);
    } catch (IOException e) {
      return "; client mount status unreadable: " + e.getMessage();
    }
  }
}
