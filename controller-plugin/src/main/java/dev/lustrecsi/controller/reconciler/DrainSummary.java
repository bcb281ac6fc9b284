package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.FilesystemCondition;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the status says about drains at a glance: the Draining condition and the printer column.
 * Pure functions of the targets' drain records.
 */
public final class DrainSummary {
  public static final String CONDITION = "Draining";
  /** Reason of a drain refused because the other OSTs cannot take its data. */
  public static final String INSUFFICIENT_CAPACITY = "InsufficientCapacity";

  private DrainSummary() {}

  /**
   * True while an OST drains (reason its step), False with {@value #INSUFFICIENT_CAPACITY} and
   * the shortfall while one may not start, False "Drained" once every drain is done; absent on a
   * filesystem that never drained anything. Only the type, status, reason and message are filled.
   */
  public static Optional<FilesystemCondition> condition(List<TargetStatus> targets) {
    List<TargetStatus> drains = targets.stream().filter(t -> t.drain() != null).toList();
    if (drains.isEmpty()) {
      return Optional.empty();
    }
    List<TargetStatus> blocked = drains.stream().filter(DrainSummary::blocked).toList();
    if (!blocked.isEmpty()) {
      return Optional.of(new FilesystemCondition(CONDITION, "False", INSUFFICIENT_CAPACITY,
          blocked.stream().map(t -> t.name() + ": " + t.drain().message()).collect(Collectors.joining("; ")), null, null));
    }
    List<TargetStatus> active = drains.stream().filter(t -> !DrainStatus.REMOVED.equals(t.drain().step())).toList();
    if (active.isEmpty()) {
      return Optional.of(new FilesystemCondition(CONDITION, "False", "Drained",
          "removed " + drains.stream().map(TargetStatus::name).collect(Collectors.joining(", ")), null, null));
    }
    return Optional.of(new FilesystemCondition(CONDITION, "True", active.getFirst().drain().step(),
        active.stream().map(DrainSummary::describe).collect(Collectors.joining("; ")), null, null));
  }

  /** The printer column: each OST still draining, its step and files left; empty when none is. */
  public static String column(List<TargetStatus> targets) {
    String text = targets.stream().filter(t -> t.drain() != null && !DrainStatus.REMOVED.equals(t.drain().step()))
        .map(DrainSummary::describe).collect(Collectors.joining("; "));
    return text.isEmpty() ? null : text;
  }

  static boolean blocked(TargetStatus target) {
    DrainStatus drain = target.drain();
    return DrainStatus.WAITING.equals(drain.step()) && drain.message() != null && !DrainStatus.NOT_STARTED.equals(drain.message());
  }

  private static String describe(TargetStatus target) {
    DrainStatus drain = target.drain();
    String bare = target.name().substring(target.name().lastIndexOf('-') + 1);
    String left = DrainStatus.MIGRATING.equals(drain.step()) && drain.filesLeft() != null ? " (" + drain.filesLeft() + " files left)" : "";
    return bare + " " + drain.step() + left;
  }
}
