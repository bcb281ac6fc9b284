package dev.lustrecsi.agent.lustre;

import java.util.regex.Pattern;

/**
 * Reads {@code lctl --device MGS llog_print LOG}: one YAML flow mapping per live record, e.g.
 * {@code - { index: 20, event: setup, device: fs1-OST0003-osc, UUID: fs1-OST0003_UUID, node: 10.1.0.13@tcp }}
 * in the clients' log, {@code device: fs1-OST0003-osc-MDT0000} in an MDT's. Cancelled records
 * (del_ost's work) are not printed, so an OST that no record names is gone from the log.
 *
 * <p>An OST pool's records name the OST too ({@code event: add_pool, ..., pool: flash, ost:
 * fs1-OST0003_UUID}, and {@code remove_pool} alike), and they count: lctl 2.16's del_ost cancels
 * every record whose line holds {@code " FSNAME-OSTxxxx"} (llog_del_ost_cb, lustre/utils/obd.c), pool
 * records with the osc ones. So a pool record still naming the OST is del_ost's work left undone,
 * which a rerun finishes, and never needs a {@code lctl pool_remove} first.
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
