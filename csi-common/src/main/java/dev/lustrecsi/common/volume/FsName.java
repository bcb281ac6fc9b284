package dev.lustrecsi.common.volume;

import java.util.regex.Pattern;

/** Lustre filesystem names: 1 to 8 characters of {@code [A-Za-z0-9_-]} (mkfs.lustre --fsname). */
public final class FsName {
  private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9_-]{1,8}");

  private FsName() {}

  public static boolean isLegal(String name) {
    return name != null && LEGAL.matcher(name).matches();
  }

  /** Why a name is not a legal fsname, or null when it is. */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "is required";
    }
    if (name.length() > 8) {
      return "\"" + name + "\" is " + name.length() + " characters; a Lustre fsname has at most 8";
    }
    if (!LEGAL.matcher(name).matches()) {
      return "\"" + name + "\" may contain only letters, digits, '_' and '-'";
    }
    return null;
  }
}
