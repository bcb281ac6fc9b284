package dev.lustrecsi.agent.lustre;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code lctl get_param osc.*.state mdc.*.state}: per client device, its import's current state.
 * Each parameter is printed as {@code osc.DEVICE.state=} followed by the value's lines,
 * {@code current_state: FULL}, then {@code state_history:} and one {@code - [ TIME, STATE ]} line
 * per change (lprocfs_state_seq_show); only the current state is read.
 */
public final class ImportStateParser {
  private static final Pattern PARAMETER = Pattern.compile("(?:osc|mdc)\\.(\\S+)\\.state=\\s*");
  private static final Pattern CURRENT = Pattern.compile("current_state:\\s*([A-Z_]+)");

  private ImportStateParser() {}

  /** Device name (e.g. fs1-OST0000-osc-ff1c9f74671fe800) to its import's state (FULL, DISCONN, ...). */
  public static Map<String, String> parse(String output) {
    Map<String, String> states = new LinkedHashMap<>();
    String device = null;
    for (String raw : output.lines().toList()) {
      String line = raw.strip();
      Matcher parameter = PARAMETER.matcher(line);
      Matcher current = CURRENT.matcher(line);
      if (parameter.matches()) {
        device = parameter.group(1);
      } else if (current.matches()) {
        if (device == null) {
          throw new UnexpectedOutputException("lctl get_param *.state", "current_state before any parameter name");
        }
        states.put(device, current.group(1));
      }
    }
    return states;
  }
}
