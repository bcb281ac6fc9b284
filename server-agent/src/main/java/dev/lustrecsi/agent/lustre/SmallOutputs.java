package dev.lustrecsi.agent.lustre;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the short outputs: health_check, list_nids, --version, getname, max_create_count and pool_list. */
public final class SmallOutputs {
  private static final Pattern NID = Pattern.compile("[^@\\s]+@[a-z0-9]+");
  private static final Pattern VERSION = Pattern.compile("(?:lfs\\s+|lctl\\s+)?(\\d+(?:\\.\\d+)+)\\S*");
  private static final Pattern INSTANCE = Pattern.compile("([A-Za-z0-9_-]{1,8})-([0-9a-f]+)\\s+(\\S.*)");

  private SmallOutputs() {}

  /** The health_check text as the controller is to judge it: "healthy", "NOT HEALTHY ..." or "LBUG". */
  public static String healthCheck(String output) {
    return output.strip();
  }

  public static boolean isHealthy(String healthCheck) {
    return "healthy".equals(healthCheck);
  }

  /** {@code lctl list_nids}: one NID a line. */
  public static List<String> nids(String output) {
    List<String> nids = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    for (String nid : nids) {
      if (!NID.matcher(nid).matches()) {
        throw new UnexpectedOutputException("lctl list_nids", "\"" + nid + "\" is not a NID");
      }
    }
    return nids;
  }

  /** {@code lfs --version} ("lfs 2.16.1") or {@code lctl get_param -n version} ("2.16.1"): the version number. */
  public static String version(String output) {
    Matcher m = VERSION.matcher(output.strip());
    if (!m.matches()) {
      throw new UnexpectedOutputException("lfs --version", "no version in \"" + output.strip() + "\"");
    }
    return m.group(1);
  }

  /** {@code lfs getname MOUNT} ("lfs-ff1c9f74671fe800 /mnt/lfs"): the filesystem name of the mount. */
  public static String fsNameOfInstance(String output) {
    Matcher m = INSTANCE.matcher(output.strip());
    if (!m.matches()) {
      throw new UnexpectedOutputException("lfs getname", "no FSNAME-INSTANCE in \"" + output.strip() + "\"");
    }
    return m.group(1);
  }

  /** {@code lctl pool_list FSNAME.POOL}: the OSTs of the pool, from its {@code FSNAME-OSTxxxx_UUID} lines (the first names the pool). */
  public static List<TargetName> poolMembers(String output) {
    List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (lines.isEmpty() || !lines.getFirst().startsWith("Pool: ")) {
      throw new UnexpectedOutputException("lctl pool_list", "no \"Pool: \" line first in \"" + output.strip() + "\"");
    }
    List<TargetName> members = new java.util.ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      members.add(TargetName.parse(line.endsWith("_UUID") ? line.substring(0, line.length() - "_UUID".length()) : line)
          .filter(t -> t.kind() == TargetKind.OST)
          .orElseThrow(() -> new UnexpectedOutputException("lctl pool_list", "\"" + line + "\" is not an OST's UUID")));
    }
    return List.copyOf(members);
  }

  /** {@code lctl get_param -n osp.*.max_create_count}: one count a line, one line per matching osp device. */
  public static List<Long> maxCreateCounts(String output) {
    List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (lines.isEmpty()) {
      throw new UnexpectedOutputException("lctl get_param max_create_count", "no value");
    }
    try {
      return lines.stream().map(Long::parseLong).toList();
    } catch (NumberFormatException e) {
      throw new UnexpectedOutputException("lctl get_param max_create_count", "not a count in \"" + output.strip() + "\"");
    }
  }
}
