package dev.lustrecsi.controller.lustre;

import dev.lustrecsi.controller.filesystem.ExternalSpec;
import java.util.List;
import java.util.Optional;

/**
 * A filesystem as its LustreFilesystem resource shows it.
 *
 * @param spec its size settings: OST size, growth limit, overcommit
 * @param osts its OSTs, by index
 * @param ready whether every target is up and the filesystem takes new volumes
 * @param mgsNids the MGS's NIDs, one per LNet network it serves (e.g. 10.1.0.10@tcp, 10.1.0.10@o2ib)
 * @param invalidSpec why its spec cannot be carried out, when the reconciler found it so
 * @param notReady why it is not ready, as its status says (phase and what is not up), when it is not
 * @param external set for a filesystem the site runs: its NIDs, volume root, commitment share
 *     and project ids come from there, and it never grows
 */
public record FilesystemState(FilesystemSpec spec, List<Ost> osts, boolean ready, List<String> mgsNids, Optional<String> invalidSpec,
    Optional<String> notReady, Optional<ExternalSpec> external) {
  public FilesystemState {
    osts = List.copyOf(osts);
    mgsNids = List.copyOf(mgsNids);
  }

  /** A filesystem of the driver's own. */
  public FilesystemState(FilesystemSpec spec, List<Ost> osts, boolean ready, List<String> mgsNids, Optional<String> invalidSpec,
      Optional<String> notReady) {
    this(spec, osts, ready, mgsNids, invalidSpec, notReady, Optional.empty());
  }

  /** The directory volumes are made in: the site's volume root, or the filesystem root of the driver's own. */
  public String volumeRoot() {
    return external.map(ExternalSpec::volumeRoot).orElse("");
  }

  /** The MGS NIDs on one network type ("tcp", "o2ib") as a mount source wants them. */
  public String mgsNidsOn(String network) {
    if (external.isPresent()) {
      return network.equals("o2ib") ? external.get().mgsNidsO2ib() : network.equals("tcp") ? external.get().mgsNids() : "";
    }
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

  /** Volume capacity one OST backs. */
  public long backedPerOst() {
    return backedPerOst(spec.ostSize(), spec.overcommit());
  }

  /** Volume capacity one OST of {@code ostSize} backs: growth adds OSTs by it, and a drain keeps enough of them by it. */
  public static long backedPerOst(long ostSize, double overcommit) {
    return saturated(ostSize * overcommit);
  }

  /**
   * Volume capacity the filesystem can ever back: its growth limit; for the site's filesystem, the
   * share of its OSTs' capacity (as last seen, down OSTs included) that volumes may commit.
   */
  public long capacityLimit() {
    if (external.isPresent()) {
      return saturated((double) capacityBytes() * external.get().overcommit());
    }
    return saturated((double) spec.ostSize() * spec.maxOsts() * spec.overcommit());
  }

  /** The growth limit in words, for messages. */
  public String describeLimit() {
    if (external.isPresent()) {
      return dev.lustrecsi.common.volume.Sizes.format(capacityLimit()) + " (spec.external.overcommit " + external.get().overcommit()
          + " of its " + dev.lustrecsi.common.volume.Sizes.format(capacityBytes()) + " of OSTs)";
    }
    return spec.maxOsts() + " OSTs of " + dev.lustrecsi.common.volume.Sizes.format(spec.ostSize())
        + (spec.overcommit() == 1.0 ? "" : " overcommitted " + spec.overcommit() + " times");
  }

  private static long saturated(double bytes) {
    return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
  }
}
