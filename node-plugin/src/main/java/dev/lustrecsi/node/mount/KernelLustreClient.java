package dev.lustrecsi.node.mount;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The real Lustre client: {@code mount -t lustre [-o OPTS] NIDS:/FSNAME DIR}. */
public final class KernelLustreClient implements LustreClient {
  /** mount.lustre retries the MGS for a while before giving up; allow for it. */
  private static final Duration MOUNT_TIMEOUT = Duration.ofMinutes(2);

  private final CommandRunner runner;
  private final Path procRoot;

  public KernelLustreClient(CommandRunner runner, Path procRoot) {
    this.runner = runner;
    this.procRoot = procRoot;
  }

  @Override
  public void mount(LustreSource source, Path mountPoint, List<String> options) throws CommandFailedException {
    List<String> argv = new ArrayList<>(List.of("mount", "-t", "lustre"));
    if (!options.isEmpty()) {
      argv.add("-o");
      argv.add(String.join(",", options));
    }
    argv.add(source.mountSource());
    argv.add(mountPoint.toString());
    runner.runChecked(new Command(argv, MOUNT_TIMEOUT));
  }

  @Override
  public String unavailableReason() {
    String filesystems;
    try {
      filesystems = Files.readString(procRoot.resolve("filesystems"));
    } catch (java.io.IOException e) {
      return "cannot read " + procRoot.resolve("filesystems") + ": " + e.getMessage();
    }
    if (filesystems.lines().noneMatch(line -> line.strip().endsWith("lustre"))) {
      return "the Lustre client kernel module is not loaded (no lustre in " + procRoot.resolve("filesystems") + ")";
    }
    if (!Files.isExecutable(Path.of("/sbin/mount.lustre")) && !Files.isExecutable(Path.of("/usr/sbin/mount.lustre"))) {
      return "mount.lustre is not installed";
    }
    return null;
  }
}
