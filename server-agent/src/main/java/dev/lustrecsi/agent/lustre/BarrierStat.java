package dev.lustrecsi.agent.lustre;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code lctl barrier_stat FSNAME} says (Lustre manual, "Query Barrier"):
 *
 * <pre>
 * The barrier for testfs is in 'frozen'
 * The barrier will be expired after 7 seconds
 * </pre>
 *
 * The second line comes only while the barrier is freezing or frozen.
 *
 * @param state init, freezing_p1, freezing_p2, frozen, thawing, thawed, failed, expired, rescan or unknown
 * @param secondsLeft the barrier's remaining lifetime, when it holds one
 */
public record BarrierStat(String state, OptionalLong secondsLeft) {
  private static final Pattern STATE = Pattern.compile("The barrier for (\\S+) is in '([a-z0-9_]+)'");
  private static final Pattern LEFT = Pattern.compile("The barrier will be expired after (\\d+) seconds");

  /** Whether metadata changes are blocked now (or about to be, while freezing). */
  public boolean holds() {
    return state.equals("frozen") || state.startsWith("freezing");
  }

  public static BarrierStat parse(String fsName, String output) {
    Matcher state = STATE.matcher(output);
    if (!state.find()) {
      throw new UnexpectedOutputException("lctl barrier_stat", "no barrier state in: " + output.strip());
    }
    if (!state.group(1).equals(fsName)) {
      throw new UnexpectedOutputException("lctl barrier_stat", "asked about " + fsName + ", answered about " + state.group(1));
    }
    Matcher left = LEFT.matcher(output);
    return new BarrierStat(state.group(2), left.find() ? OptionalLong.of(Long.parseLong(left.group(1))) : OptionalLong.empty());
  }
}
