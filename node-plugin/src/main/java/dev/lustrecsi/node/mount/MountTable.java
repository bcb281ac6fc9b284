package dev.lustrecsi.node.mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's mount table, read fresh on every question. The node plugin keeps no mount state
 * of its own: what is mounted is whatever mountinfo says, so every call is idempotent and a
 * restarted plugin sees exactly what its predecessor left.
 */
public final class MountTable {
  private final Path mountinfo;

  public MountTable(Path mountinfo) {
    this.mountinfo = mountinfo;
  }

  public static MountTable ofThisProcess() {
    return new MountTable(Path.of("/proc/self/mountinfo"));
  }

  public List<MountEntry> entries() {
    try {
      return parse(Files.readString(mountinfo));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + mountinfo, e);
    }
  }

  /** The topmost mount at {@code path}, if something is mounted exactly there. */
  public Optional<MountEntry> at(Path path) {
    Path normalized = path.toAbsolutePath().normalize();
    MountEntry top = null;
    for (MountEntry entry : entries()) {
      if (entry.mountPoint().equals(normalized)) {
        top = entry; // later lines are mounted on top of earlier ones
      }
    }
    return Optional.ofNullable(top);
  }

  /** Parses mountinfo text; lines that do not parse are skipped rather than failing every call. */
  public static List<MountEntry> parse(String text) {
    List<MountEntry> entries = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] fields = line.split(" ");
      int separator = -1;
      for (int i = 6; i < fields.length; i++) {
        if (fields[i].equals("-")) {
          separator = i;
          break;
        }
      }
      if (fields.length < 10 || separator < 0 || separator + 2 >= fields.length) {
        continue;
      }
      try {
        entries.add(new MountEntry(
            Integer.parseInt(fields[0]),
            Integer.parseInt(fields[1]),
            fields[2],
            unescape(fields[3]),
            Path.of(unescape(fields[4])),
            fields[5],
            fields[separator + 1],
            unescape(fields[separator + 2]),
            peerGroup(fields, separator)));
      } catch (NumberFormatException e) {
        // not a mountinfo line
      }
    }
    return entries;
  }

  /** The {@code shared:N} among the optional fields (between the options and the "-"), or 0. */
  private static int peerGroup(String[] fields, int separator) {
    for (int i = 6; i < separator; i++) {
      if (fields[i].startsWith("shared:")) {
        return Integer.parseInt(fields[i].substring("shared:".length()));
      }
    }
    return 0;
  }

  /** mountinfo writes space, tab, newline and backslash as three-digit octal escapes. */
  static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
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
