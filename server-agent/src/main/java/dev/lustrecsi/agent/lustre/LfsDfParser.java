package dev.lustrecsi.agent.lustre;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code lfs df} (KiB columns). The layout is lfs.c's {@code "%-20s %11s %11s %11s %4s %-s"}:
 * one row per MDT and OST ending in {@code MOUNT[MDT:0]} or {@code MOUNT[OST:3]} and optional
 * flags, {@code NAME : inactive device} for a deactivated target, then a blank line and {@code
 * filesystem_summary:}, which is left out (it is the sum of the OST rows).
 */
public final class LfsDfParser {
  private static final Pattern ROW = Pattern.compile(
      "(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)%\\s+(.*)\\[(MDT|OST):(\\d+)](?:\\s+([A-Za-z]+))?\\s*");
  private static final Pattern INACTIVE = Pattern.compile("(\\S+)\\s*:\\s*inactive device\\s*");
  private static final Pattern UUID_NAME = Pattern.compile("(.*?)(?:_UUID)?");

  private LfsDfParser() {}

  public static List<TargetSpace> parse(String output) {
    List<TargetSpace> rows = new ArrayList<>();
    boolean header = false;
    for (String line : output.split("\n")) {
      if (line.isBlank() || line.startsWith("filesystem_summary:")) {
        continue;
      }
      if (line.startsWith("UUID")) {
        if (!line.contains("1K-blocks")) {
          throw new UnexpectedOutputException("lfs df", "expected KiB columns, got header \"" + line.strip() + "\"");
        }
        header = true;
        continue;
      }
      Matcher row = ROW.matcher(line);
      Matcher inactive = INACTIVE.matcher(line);
      if (row.matches()) {
        TargetName name = nameOf(row.group(1), line);
        TargetKind kind = TargetKind.valueOf(row.group(7));
        int index = Integer.parseInt(row.group(8));
        if (name.kind() != kind || name.index() != index) {
          throw new UnexpectedOutputException("lfs df", "row names " + name + " but is marked [" + kind + ":" + index + "]");
        }
        rows.add(new TargetSpace(row.group(1), name, Long.parseLong(row.group(2)), Long.parseLong(row.group(3)),
            Long.parseLong(row.group(4)), row.group(9) == null ? "" : row.group(9), false));
      } else if (inactive.matches()) {
        rows.add(new TargetSpace(inactive.group(1), nameOf(inactive.group(1), line), 0, 0, 0, "", true));
      } else {
        throw new UnexpectedOutputException("lfs df", "unexpected line \"" + line + "\"");
      }
    }
    if (!header && !rows.isEmpty()) {
      throw new UnexpectedOutputException("lfs df", "rows without the UUID header");
    }
    return List.copyOf(rows);
  }

  private static TargetName nameOf(String uuid, String line) {
    Matcher m = UUID_NAME.matcher(uuid);
    m.matches();
    return TargetName.parse(m.group(1))
        .orElseThrow(() -> new UnexpectedOutputException("lfs df", "no target name in \"" + line + "\""));
  }
}
