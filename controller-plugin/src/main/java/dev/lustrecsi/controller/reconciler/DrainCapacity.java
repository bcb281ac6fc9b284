package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.TargetUsage;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import java.util.List;
import java.util.Optional;

/**
 * Whether the OSTs that stay can take what the draining ones hold. A pure function of the
 * targets, lfs df and the volumes' promises. Two rules, both must hold:
 *
 * <ul>
 *   <li>the data: the bytes still on every draining OST (those about to start, and those
 *       already migrating, whose files are headed for the same OSTs) fit in the free space of
 *       the OSTs that stay (up, not draining), less {@value #SPARE_PERCENT}% of their capacity
 *       kept spare: a Lustre OST slows down and starts refusing writes well before it is full,
 *       and pods keep writing during the drain;</li>
 *   <li>the promises: the capacity volumes were given fits in what the OSTs that stay back,
 *       measured as growth measures it (each OST backs its spec.ostSize times the overcommit
 *       ratio), or the next CreateVolume would grow the filesystem straight back. An OST's
 *       formatted capacity is a few percent below its disk's size, so measuring by lfs df here
 *       would ask a full filesystem for a second replacement where growth made one.</li>
 * </ul>
 */
public final class DrainCapacity {
  static final int SPARE_PERCENT = 5;

  private DrainCapacity() {}

  /** Empty when the drains may start; else what is short, in words an admin acts on. */
  public static Optional<String> shortfall(List<TargetStatus> targets, GetTargetUsageResponse usage, long committedBytes,
      long backedPerOst) {
    List<TargetStatus> staying = targets.stream()
        .filter(t -> TargetKinds.OST.equals(t.kind()) && t.drain() == null && FilesystemStatusCalculator.UP.equals(t.state())).toList();
    List<TargetStatus> leaving = targets.stream()
        .filter(t -> TargetKinds.OST.equals(t.kind()) && t.drain() != null && t.drain().serving()).toList();
    long capacity = 0;
    long free = 0;
    for (TargetStatus ost : staying) {
      Optional<TargetUsage> seen = usageOf(usage, ost);
      capacity += seen.map(TargetUsage::getCapacityBytes).orElse(0L);
      free += seen.map(TargetUsage::getAvailableBytes).orElse(0L);
    }
    long toMove = leaving.stream().mapToLong(t -> usageOf(usage, t).map(TargetUsage::getUsedBytes).orElse(t.usedBytes() == null ? 0 : t.usedBytes())).sum();
    long spare = capacity * SPARE_PERCENT / 100;
    String names = String.join(", ", leaving.stream().map(TargetStatus::name).toList());
    if (toMove > free - spare) {
      return Optional.of(names + " hold " + Sizes.format(toMove) + "; the " + staying.size() + " OSTs that stay have "
          + Sizes.format(Math.max(0, free - spare)) + " free beyond the " + SPARE_PERCENT + "% kept spare: short by "
          + Sizes.format(toMove - Math.max(0, free - spare)) + " (add OSTs, or raise spec.ostCount to have replacements made first)");
    }
    long backed = staying.size() * backedPerOst;
    if (committedBytes > backed) {
      return Optional.of("volumes are promised " + Sizes.format(committedBytes) + "; the " + staying.size() + " OSTs that stay back "
          + Sizes.format(backed) + " (" + Sizes.format(backedPerOst) + " each): short by " + Sizes.format(committedBytes - backed)
          + " (raise spec.ostCount to have replacements made first, or delete volumes)");
    }
    return Optional.empty();
  }

  private static Optional<TargetUsage> usageOf(GetTargetUsageResponse usage, TargetStatus target) {
    return usage.getTargetsList().stream().filter(u -> u.getUuid().equals(target.name() + "_UUID")).findFirst();
  }
}
