package dev.lustrecsi.agent.lustre;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code lfs project -d DIR}: the directory's own project id and inherit flag, printed as
 * {@code " 1000 P /mnt/lfs/d"} (lfs_project_d.txt; {@code -} instead of {@code P} without the
 * flag). An untagged directory shows project 0.
 *
 * @param projectId the directory's project id, 0 when it has none
 * @param inherit whether new files and directories inside take the id
 */
public record ProjectOfDirectory(long projectId, boolean inherit) {
  private static final Pattern LINE = Pattern.compile("\\s*(\\d+)\\s+([P-])\\s+(\\S.*)");

  public static ProjectOfDirectory parse(String output) {
    String line = output.lines().filter(l -> !l.isBlank()).findFirst()
        .orElseThrow(() -> new UnexpectedOutputException("lfs project -d", "no output"));
    Matcher m = LINE.matcher(line);
    if (!m.matches()) {
      throw new UnexpectedOutputException("lfs project -d", "unexpected line \"" + line.strip() + "\"");
    }
    return new ProjectOfDirectory(Long.parseLong(m.group(1)), m.group(2).equals("P"));
  }
}
