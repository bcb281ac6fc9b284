package dev.lustrecsi.agent.lustre;

import java.util.regex.Pattern;

/**
 * Reads {@code lctl --device MGS llog_print LOG}: one YAML flow mapping per live record, e.g.
 * {@code - { index: 20, event: setup, device: fs1-OST0003-osc, UUID: fs1-OST0003_UUID, node: 10.1.0.13@tcp }}
 * in the clients' log, {@code device: fs1-OST0003-osc-MDT0000} in an MDT's. Cancelled records
 * (del_ost's work) are not printed, so an OST that no record names is gone from the log.
 */
public final class ConfigLogParser {
  private ConfigLogParser() {}

  /** Whether any live record of the log names the OST (its osc device or its UUID). */
  public static boolean mentions(String output, TargetName ost) {
    Pattern name = Pattern.compile("[\\s{,:]" + Pattern.quote(ost.toString()) + "(-osc\\b|_UUID\\b)");
    for (String line : output.split("\n")) {
      String record = line.strip();
      if (record.isEmpty()) {
        continue;
      }
      if (!record.startsWith("- {") || !record.endsWith("}")) {
        throw new UnexpectedOutputException("lctl llog_print", "unexpected line \"" + record + "\"");
      }
      if (name.matcher(record).find()) {
        return true;
      }
    }
    return false;
  }
}
