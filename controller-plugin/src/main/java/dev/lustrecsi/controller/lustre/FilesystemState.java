package dev.lustrecsi.controller.lustre;

import java.util.List;

/**
 * A filesystem as its servers report it.
 *
 * @param spec what it was created as
 * @param osts its OSTs, by index
 * @param ready whether every target is up and the filesystem takes new volumes
 * @param mgsNids the MGS's NIDs, one per LNet network it serves (e.g. 10.1.0.10@tcp, 10.1.0.10@o2ib);
 *     empty where clients need none (the sandbox's simulated mount)
 */
public record FilesystemState(FilesystemSpec spec, List<Ost> osts, boolean ready, List<String> mgsNids) {
  public FilesystemState {
    osts = List.copyOf(osts);
    mgsNids = List.copyOf(mgsNids);
  }

  /** The MGS NIDs on one network type ("tcp", "o2ib"), comma-separated as a mount source wants them. */
  public String mgsNidsOn(String network) {
    return String.join(",", mgsNids.stream().filter(nid -> nid.substring(nid.indexOf('@') + 1).replaceAll("\\d+$", "").equals(network)).toList());
  }

  /**
   * One object storage target.
   *
   * @param index the OST index (FSNAME-OST%04x)
   * @param capacityBytes its size
   * @param usedBytes bytes in use
   */
  public record Ost(int index, long capacityBytes, long usedBytes) {}

  public long capacityBytes() {
    return osts.stream().mapToLong(Ost::capacityBytes).sum();
  }

  public long usedBytes() {
    return osts.stream().mapToLong(Ost::usedBytes).sum();
  }
}
