package dev.lustrecsi.agent.lustre;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses mount(8)'s listing: "SOURCE on DIR type TYPE (OPTIONS)" per line (mount_t_lustre.txt). */
public final class MountList {
  private static final Pattern LINE = Pattern.compile("(\\S+) on (.+) type (\\S+) \\((.*)\\)");

  /** One mount: what was mounted, where, with which type. */
  public record Mount(String source, Path mountPoint, String type) {}

  private MountList() {}

  public static List<Mount> parse(String output) {
    List<Mount> mounts = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line.strip());
      if (!m.matches()) {
        throw new UnexpectedOutputException("mount", "not a 'SOURCE on DIR type TYPE (OPTIONS)' line: " + line);
      }
      mounts.add(new Mount(m.group(1), Path.of(m.group(2)), m.group(3)));
    }
    return List.copyOf(mounts);
  }
}
