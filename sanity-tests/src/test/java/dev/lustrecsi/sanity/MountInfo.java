package dev.lustrecsi.sanity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Mount points as this process sees them in /proc/self/mountinfo (proc(5)). */
final class MountInfo {
  private MountInfo() {}

  /** Every mount point, in mountinfo order, octal escapes (\040 and friends) decoded. */
  static List<Path> mountPoints() {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
    }
    List<Path> points = new ArrayList<>();
    for (String line : lines) {
      String[] fields = line.split(" ");
      if (fields.length > 4) {
        points.add(Path.of(unescape(fields[4])));
      }
    }
    return points;
  }

  /** Whether something is mounted exactly at {@code path}. */
  static boolean isMountPoint(Path path) {
    Path normal = path.toAbsolutePath().normalize();
    return mountPoints().contains(normal);
  }

  /** Mount points strictly below {@code dir}. */
  static List<Path> mountPointsUnder(Path dir) {
    Path normal = dir.toAbsolutePath().normalize();
    return mountPoints().stream().filter(p -> p.startsWith(normal) && !p.equals(normal)).toList();
  }

  private static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
