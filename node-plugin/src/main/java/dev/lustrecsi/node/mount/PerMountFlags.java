package dev.lustrecsi.node.mount;

import java.util.List;
import java.util.Set;

/**
 * Which of the per-mount options a bind mount was asked for its mountinfo entry does not show.
 * Mountinfo lists the per-mount flags that are set (ro or rw, nosuid, nodev, noexec, noatime,
 * nodiratime, relatime); strictatime is the absence of both noatime and relatime.
 */
public final class PerMountFlags {
  private static final Set<String> SHOWN_AS_IS = Set.of("ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime");

  private PerMountFlags() {}

  /** The options of {@code wanted} that {@code mount} lacks; "rw" is never missing, as nothing can be done about it by adding a flag. */
  public static List<String> missing(MountEntry mount, List<String> wanted) {
    List<String> shown = List.of(mount.options().split(","));
    return wanted.stream().filter(option -> !has(shown, option)).toList();
  }

  private static boolean has(List<String> shown, String option) {
    if (option.equals("strictatime")) {
      return !shown.contains("noatime") && !shown.contains("relatime");
    }
    if (SHOWN_AS_IS.contains(option)) {
      return shown.contains(option);
    }
    return true;
  }
}
