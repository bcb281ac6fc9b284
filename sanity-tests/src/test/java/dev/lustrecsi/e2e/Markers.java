package dev.lustrecsi.e2e;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code key=value} lines a test pod prints, the last one of each key winning. Pods report
 * results as markers rather than free text so an assertion never depends on how busybox words
 * its output, only on what the script measured.
 */
record Markers(Map<String, String> values, String log) {
  private static final Pattern LINE = Pattern.compile("(?m)^([a-z][a-z0-9-]*)=(.*)$");

  static Markers parse(String log) {
    Map<String, String> values = new LinkedHashMap<>();
    Matcher matcher = LINE.matcher(log == null ? "" : log);
    while (matcher.find()) {
      values.put(matcher.group(1), matcher.group(2).strip());
    }
    return new Markers(values, log);
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  String text(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new AssertionError("the pod printed no " + key + "= line; its log:\n" + log);
    }
    return value;
  }

  long number(String key) {
    String value = text(key);
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new AssertionError("the pod's " + key + "=" + value + " is not a number; its log:\n" + log, e);
    }
  }
}
