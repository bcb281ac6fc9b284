package dev.lustrecsi.common.volume;

import dev.lustrecsi.common.error.CallerText;
import java.util.regex.Pattern;

/**
 * Lustre filesystem names: 1 to 8 characters of {@code [A-Za-z0-9_-]} (mkfs.lustre --fsname),
 * the first a letter or digit. Lustre itself would take a leading '-' or '_', but a name like
 * {@code -h} reads as an option where it ends up in a command line, so it is refused.
 */
public final class FsName {
  /** Characters in a fsname at most (mkfs.lustre refuses more). */
  public static final int MAX_LENGTH = 8;
  private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0," + (MAX_LENGTH - 1) + "}");

  /** The rule, as the docs and messages state it. */
  public static final String RULE = "1 to 8 characters of letters, digits, `_` and `-`, the first a letter or digit";

  private FsName() {}

  public static boolean isLegal(String name) {
    return name != null && LEGAL.matcher(name).matches();
  }

  /** Why a name is not a legal fsname, or null when it is. */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "is required";
    }
    if (name.length() > MAX_LENGTH) {
      return CallerText.quote(name) + " is " + name.length() + " characters; a Lustre fsname has at most " + MAX_LENGTH;
    }
    if (!LEGAL.matcher(name).matches()) {
      return CallerText.quote(name) + " is not " + RULE.replace("`", "'");
    }
    return null;
  }
}
