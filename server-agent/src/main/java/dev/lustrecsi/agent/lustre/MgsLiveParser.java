package dev.lustrecsi.agent.lustre;

import java.util.List;
import java.util.Optional;

/**
 * Reads {@code lctl get_param mgs.MGS.live.FSNAME} on the MGS (mgs_live_lfs.txt): a
 * {@code fsname:} line, a {@code flags:} line, then the filesystem's registered targets, one name
 * a line, followed by the security rules and the imperative recovery state.
 */
public final class MgsLiveParser {
  private MgsLiveParser() {}

  /**
   * The MDTs the MGS knows for the filesystem: each has a configuration log of its own
   * ({@code FSNAME-MDTxxxx}). A filesystem has at least one, so an answer without any is not one
   * this parser understands, and saying "no MDT" would let a caller skip logs it must look at.
   */
  public static List<TargetName> mdts(String output, String fsName) {
    List<String> lines = output.lines().map(String::strip).toList();
    if (!lines.contains("fsname: " + fsName)) {
      throw new UnexpectedOutputException("lctl get_param mgs.MGS.live." + fsName, "no \"fsname: " + fsName + "\" line");
    }
    List<TargetName> mdts = lines.stream().map(TargetName::parse).flatMap(Optional::stream)
        .filter(t -> t.kind() == TargetKind.MDT && t.fsName().equals(fsName)).toList();
    if (mdts.isEmpty()) {
      throw new UnexpectedOutputException("lctl get_param mgs.MGS.live." + fsName, "no MDT of " + fsName + " listed");
    }
    return mdts;
  }
}
