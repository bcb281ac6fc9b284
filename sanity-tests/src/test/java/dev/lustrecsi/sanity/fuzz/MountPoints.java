package dev.lustrecsi.sanity.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** This process's mounts by mount point, read from /proc/self/mountinfo (proc(5)); the topmost where mounts stack. */
final class MountPoints {
  /**
   * One mount.
   *
   * @param root the directory of its filesystem shown there: for a bind mount of a volume, the volume's directory
   * @param source the mount source
   * @param readOnly whether the mount point itself is read-only (its per-mount options say ro)
   */
  record Mount(String root, String source, boolean readOnly) {}

  private MountPoints() {}

  static Map<Path, Mount> read() {
    String text;
    try {
      text = Files.readString(Path.of("/proc/self/mountinfo"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
    }
    Map<Path, Mount> mounts = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String[] fields = line.split(" ");
      int separator = java.util.Arrays.asList(fields).indexOf("-");
      if (fields.length < 10 || separator < 6 || separator + 2 >= fields.length) {
        continue;
      }
      mounts.put(Path.of(unescape(fields[4])), new Mount(unescape(fields[3]), unescape(fields[separator + 2]),
          java.util.Arrays.asList(fields[5].split(",")).contains("ro")));
    }
    return mounts;
  }

  /** mountinfo writes space, tab, newline and backslash as three-digit octal escapes. */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length() + 1 && field.substring(i + 1, Math.min(field.length(), i + 4)).matches("[0-7]{3}")) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
