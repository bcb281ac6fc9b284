package dev.lustrecsi.agent.lustre;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A target's name as Lustre prints it: {@code FSNAME-OST%04x} (hexadecimal index), {@code
 * FSNAME-MDT%04x}, or {@code MGS}.
 *
 * @param fsName the filesystem, empty for the MGS (it serves every filesystem)
 */
public record TargetName(String fsName, TargetKind kind, int index) {
  private static final Pattern NAME = Pattern.compile("(?:([A-Za-z0-9_-]{1,8})-)?(MDT|OST)([0-9a-fA-F]{4})");

  public static final TargetName MGS = new TargetName("", TargetKind.MGT, 0);

  /** Parses "lfs-OST000a", "lfs-MDT0000" or "MGS"; a name without fsname ("OST0003", lfs df's inactive lines) leaves it empty. */
  public static Optional<TargetName> parse(String text) {
    if ("MGS".equals(text)) {
      return Optional.of(MGS);
    }
    Matcher m = NAME.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    String fs = m.group(1) == null ? "" : m.group(1);
    return Optional.of(new TargetName(fs, TargetKind.valueOf(m.group(2)), Integer.parseInt(m.group(3), 16)));
  }

  @Override
  public String toString() {
    if (kind == TargetKind.MGT) {
      return "MGS";
    }
    String bare = String.format("%s%04x", kind, index);
    return fsName.isEmpty() ? bare : fsName + "-" + bare;
  }
}
