package dev.lustrecsi.node.mount;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.topology.VolumeContext;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The real Lustre client: {@code mount -t lustre [-o OPTS] NIDS:/FSNAME DIR}. */
public final class KernelLustreClient implements LustreClient {
  /** mount.lustre retries the MGS for a while before giving up; allow for it. */
  private static final Duration MOUNT_TIMEOUT = Duration.ofMinutes(2);

  private final CommandRunner runner;
  private final Path procRoot;
  private final Path sysRoot;
  private final List<Path> searchPath;

  /**
   * @param runner runs mount
   * @param procRoot /proc (its filesystems file lists lustre once the module is loaded)
   * @param sysRoot /sys (module/lustre exists once the module is loaded)
   * @param searchPath directories searched for mount.lustre (PATH, plus /sbin and /usr/sbin where mount(8) looks)
   */
  public KernelLustreClient(CommandRunner runner, Path procRoot, Path sysRoot, List<Path> searchPath) {
    this.runner = runner;
    this.procRoot = procRoot;
    this.sysRoot = sysRoot;
    this.searchPath = List.copyOf(searchPath);
  }

  public KernelLustreClient(CommandRunner runner, Path procRoot) {
    this(runner, procRoot, Path.of("/sys"), systemSearchPath());
  }

  /** $PATH and the directories mount(8) takes helpers from. */
  public static List<Path> systemSearchPath() {
    Set<Path> dirs = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isBlank()) {
          dirs.add(Path.of(dir));
        }
      }
    }
    dirs.add(Path.of("/sbin"));
    dirs.add(Path.of("/usr/sbin"));
    return List.copyOf(dirs);
  }

  @Override
  public void mount(LustreSource source, Path mountPoint, List<String> options) throws CommandFailedException {
    if (source.mgsNodes().isEmpty()) {
      throw CsiException.invalidArgument("volume_context." + VolumeContext.MGS_NIDS,
          "is required to mount filesystem " + source.fsName() + ": no MGS NIDs for the network this volume uses");
    }
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
    if (searchPath.stream().noneMatch(dir -> Files.isExecutable(dir.resolve("mount.lustre")))) {
      return "mount.lustre is not installed (searched " + String.join(":", searchPath.stream().map(Path::toString).toList())
          + "): install the Lustre client (lustre-client and kmod-lustre-client or lustre-client-dkms) for this kernel";
    }
    if (Files.isDirectory(sysRoot.resolve("module/lustre"))) {
      return null;
    }
    String filesystems;
    try {
      filesystems = Files.readString(procRoot.resolve("filesystems"));
    } catch (java.io.IOException e) {
      return "cannot read " + procRoot.resolve("filesystems") + ": " + e.getMessage();
    }
    if (filesystems.lines().noneMatch(line -> line.strip().endsWith("lustre"))) {
      return "the Lustre client kernel module is not loaded (no " + sysRoot.resolve("module/lustre") + ", no lustre in "
          + procRoot.resolve("filesystems") + "): run modprobe lustre, or install kmod-lustre-client for this kernel";
    }
    return null;
  }
}
