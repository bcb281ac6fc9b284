package dev.lustrecsi.sandbox.lustre;

import java.util.List;
import java.util.Locale;

/**
 * Prints what the real Lustre tools print, column for column (lfs.c and obd_sysfs.c formats,
 * checked against captured outputs), so the agent's parsers read the simulation exactly as they
 * read a real server.
 */
final class LustreOutputFormat {
  private LustreOutputFormat() {}

  /** One row of lfs df: an MDT or OST, or an inactive one (no numbers). */
  record DfRow(String uuid, String kind, int index, long totalKib, long usedKib, long availableKib, boolean inactive) {}

  /** {@code lfs df}: lfs.c showdf() {@code "%-20s %11s %11s %11s %4s %-s"}; the summary adds up the OSTs. */
  static String df(String mount, List<DfRow> rows) {
    StringBuilder out = new StringBuilder();
    out.append(dfLine("UUID", "1K-blocks", "Used", "Available", "Use%", "Mounted on"));
    long total = 0;
    long used = 0;
    long available = 0;
    for (DfRow row : rows) {
      if (row.inactive()) {
        out.append(String.format(Locale.ROOT, "%-20s: inactive device%n", row.uuid()));
        continue;
      }
      out.append(dfLine(row.uuid(), Long.toString(row.totalKib()), Long.toString(row.usedKib()), Long.toString(row.availableKib()),
          percent(row.usedKib(), row.availableKib()), mount + "[" + row.kind() + ":" + row.index() + "]"));
      if (row.kind().equals("OST")) {
        total += row.totalKib();
        used += row.usedKib();
        available += row.availableKib();
      }
    }
    out.append('\n');
    out.append(dfLine("filesystem_summary:", Long.toString(total), Long.toString(used), Long.toString(available), percent(used, available), mount));
    out.append('\n');
    return out.toString();
  }

  private static String dfLine(String uuid, String blocks, String used, String available, String percent, String mountedOn) {
    return String.format(Locale.ROOT, "%-20s %11s %11s %11s %4s %s%n", uuid, blocks, used, available, percent, mountedOn);
  }

  /** lfs rounds the used fraction up: a target with anything on it shows at least 1%. */
  private static String percent(long used, long available) {
    long all = used + available;
    return (all == 0 ? 0 : Math.ceilDiv(used * 100, all)) + "%";
  }

  /**
   * {@code lfs quota -p ID MOUNT}: a header, the column titles ({@code " %15s"} then {@code " %7s"}
   * eight times), and the filesystem line, where a '*' after kbytes or files marks a reached hard
   * limit and eats the space before the next column. A mount point longer than 15 characters
   * widens the filesystem line, as in 2.16.1 (older lfs releases put it on a line of its own).
   */
  static String projectQuota(long projectId, String mount, long usedKib, long limitKib, long files) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Disk quotas for prj %d (pid %d):%n", projectId, projectId));
    out.append(String.format(Locale.ROOT, " %15s %7s %7s %7s %7s %7s %7s %7s %7s%n",
        "Filesystem", "kbytes", "quota", "limit", "grace", "files", "quota", "limit", "grace"));
    out.append(String.format(Locale.ROOT, " %15s", mount));
    char blocksOver = limitKib > 0 && usedKib >= limitKib ? '*' : ' ';
    out.append(String.format(Locale.ROOT, " %7d%c%7d %7d %7s %7d%c%7d %7d %7s%n", usedKib, blocksOver, 0, limitKib, "-", files, ' ', 0, 0, "-"));
    return out.toString();
  }

  /** One device of {@code lctl dl}: {@code "%3d %s %s %s %s %d"}. */
  static String device(int index, String status, String type, String name, String uuid, int refcount) {
    return String.format(Locale.ROOT, "%3d %s %s %s %s %d%n", index, status, type, name, uuid, refcount);
  }

  /** A recovery_status parameter: INACTIVE on one line, the others as the key: value block lprocfs prints. */
  static String recoveryStatus(String parameter, String status, long startSeconds, long durationOrRemaining, int clients) {
    if (status.equals("INACTIVE")) {
      return parameter + "=status: INACTIVE\n";
    }
    StringBuilder out = new StringBuilder(parameter).append("=\n").append("status: ").append(status).append('\n');
    out.append("recovery_start: ").append(startSeconds).append('\n');
    if (status.equals("RECOVERING")) {
      out.append("time_remaining: ").append(durationOrRemaining).append('\n')
          .append("connected_clients: ").append(clients).append('/').append(clients).append('\n')
          .append("req_replay_clients: 0\n")
          .append("lock_repay_clients: 0\n") // sic: the typo is Lustre's
          .append("completed_clients: 0\n")
          .append("evicted_clients: 0\n")
          .append("replayed_requests: 0\n")
          .append("queued_requests: 0\n")
          .append("next_transno: 4294967297\n");
    } else {
      out.append("recovery_duration: ").append(durationOrRemaining).append('\n')
          .append("completed_clients: ").append(clients).append('/').append(clients).append('\n')
          .append("replayed_requests: 0\n")
          .append("last_transno: 4294967296\n")
          .append("VBR: DISABLED\n")
          .append("IR: DISABLED\n");
    }
    return out.toString();
  }
}
