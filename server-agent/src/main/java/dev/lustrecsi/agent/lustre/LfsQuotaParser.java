package dev.lustrecsi.agent.lustre;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses the filesystem line of {@code lfs quota -p ID MOUNT} (with or without {@code -v}):
 *
 * <pre>
 * Disk quotas for prj 1001 (pid 1001):
 *      Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace
 *        /mnt/lfs  102417*      0   20480       -       2       0       0       -
 * </pre>
 *
 * A '*' after a usage marks an exceeded limit; a value in brackets is one lfs could not read
 * from every target (it then adds a warning line). Lustre 2.16.1 keeps a long mount point on the
 * filesystem line; lfs releases before it put one longer than 15 characters on a line of its own
 * with the numbers on the next. The parser reads the tokens after the header across lines, so it
 * takes both.
 */
public final class LfsQuotaParser {
  private LfsQuotaParser() {}

  public static ProjectQuota parse(String output) {
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    int header = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().startsWith("Filesystem")) {
        header = i;
        break;
      }
    }
    if (header < 0 || !lines.get(header).contains("kbytes")) {
      throw new UnexpectedOutputException("lfs quota", "no kbytes column header in \"" + output.strip() + "\"");
    }
    List<String> tokens = new ArrayList<>();
    for (int i = header + 1; i < lines.size() && tokens.size() < 9; i++) {
      tokens.addAll(Arrays.asList(lines.get(i).strip().split("\\s+")));
    }
    if (tokens.size() < 9) {
      throw new UnexpectedOutputException("lfs quota", "no filesystem line in \"" + output.strip() + "\"");
    }
    String used = tokens.get(1);
    String files = tokens.get(5);
    return new ProjectQuota(number(used), number(tokens.get(3)), number(files), used.endsWith("*") || files.endsWith("*"));
  }

  private static long number(String column) {
    String digits = column.endsWith("*") ? column.substring(0, column.length() - 1) : column;
    // lfs brackets a value it could not read completely (a target down): still the best figure there is.
    if (digits.startsWith("[") && digits.endsWith("]")) {
      digits = digits.substring(1, digits.length() - 1);
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new UnexpectedOutputException("lfs quota", "\"" + column + "\" is not a number of KiB or files");
    }
  }
}
