package dev.lustrecsi.agent.lustre;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code lctl get_param obdfilter.*.recovery_status mdt.*.recovery_status}. Each target
 * starts with {@code obdfilter.NAME.recovery_status=}, followed on the same line by {@code status:
 * INACTIVE} or on the next lines by {@code key: value} pairs. {@code error: get_param: ...} lines
 * (a node without OSTs or MDTs) are skipped: they say only that a kind is absent.
 */
public final class RecoveryStatusParser {
  private static final Pattern START = Pattern.compile("(?:obdfilter|mdt)\\.([^.=]+)\\.recovery_status=(.*)");
  /**
   * A key runs to the first colon. Most keys are words joined by '_', but a target WAITING for
   * other MDTs prints {@code non-ready MDTs: ...} (lprocfs_status_server.c): spaces and '-' are
   * part of a key too.
   */
  private static final Pattern PAIR = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_ -]*):\\s*(.*?)\\s*");

  private RecoveryStatusParser() {}

  /** Recovery state by target name ("lfs-OST0000"), in the order printed. */
  public static Map<String, Recovery> parse(String output) {
    Map<String, Map<String, String>> pairs = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (String line : output.split("\n")) {
      if (line.isBlank() || line.startsWith("error:")) {
        continue;
      }
      Matcher start = START.matcher(line);
      if (start.matches()) {
        current = new LinkedHashMap<>();
        pairs.put(start.group(1), current);
        line = start.group(2);
        if (line.isBlank()) {
          continue;
        }
      }
      Matcher pair = PAIR.matcher(line);
      if (current == null || !pair.matches()) {
        throw new UnexpectedOutputException("lctl get_param recovery_status", "unexpected line \"" + line + "\"");
      }
      current.put(pair.group(1), pair.group(2));
    }
    Map<String, Recovery> result = new LinkedHashMap<>();
    pairs.forEach((target, values) -> {
      String status = values.get("status");
      if (status == null) {
        throw new UnexpectedOutputException("lctl get_param recovery_status", target + " has no status line");
      }
      result.put(target, new Recovery(status, "RECOVERING".equals(status) ? seconds(values.get("time_remaining")) : 0));
    });
    return result;
  }

  private static long seconds(String value) {
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new UnexpectedOutputException("lctl get_param recovery_status", "time_remaining \"" + value + "\" is not a number");
    }
  }
}
