package dev.lustrecsi.agent.lustre;

import dev.lustrecsi.common.exec.Command;
import java.time.Duration;
import java.util.List;

/**
 * The ZFS command lines the agent runs for snapshots, in zfs(8)'s syntax. Each Lustre target is a
 * ZFS dataset ({@code POOL/DATASET}, as mkfs.lustre --backfstype=zfs made it), which mkfs.lustre
 * tagged with the user property {@code lustre:svname}: that tag, not a naming convention, is how
 * the agent finds which dataset holds which target.
 *
 * <p>{@code -H} drops the header and separates fields with one tab; {@code -p} prints numbers
 * (creation) as exact seconds: the forms meant for scripts.
 */
public final class ZfsCommands {
  static final Duration QUICK = Duration.ofSeconds(30);

  private ZfsCommands() {}

  /** {@code zfs list -H -p -o name,lustre:svname -t filesystem}: every dataset and the target it holds ("-" for none). */
  public static Command targetDatasets() {
    return new Command(List.of("zfs", "list", "-H", "-p", "-o", "name,lustre:svname", "-t", "filesystem"), QUICK);
  }

  /** {@code zfs list -H -p -o name,creation -t snapshot}: every snapshot and when it was taken. */
  public static Command snapshots() {
    return new Command(List.of("zfs", "list", "-H", "-p", "-o", "name,creation", "-t", "snapshot"), QUICK);
  }

  /** {@code zfs snapshot DATASET@NAME}: one dataset's snapshot; a moment's work whatever the dataset holds. */
  public static Command snapshot(String dataset, String name) {
    return snapshot(dataset, name, new java.util.LinkedHashMap<>());
  }

  /**
   * {@code zfs snapshot -o PROP=VALUE ... DATASET@NAME}: the snapshot with user properties set on
   * it at once, as {@code lctl snapshot_create} tags each target's piece (one command, so a piece
   * never exists untagged).
   */
  public static Command snapshot(String dataset, String name, java.util.SequencedMap<String, String> properties) {
    List<String> argv = new java.util.ArrayList<>(List.of("zfs", "snapshot"));
    properties.forEach((property, value) -> argv.addAll(List.of("-o", property + "=" + value)));
    argv.add(dataset + "@" + name);
    return new Command(argv, QUICK);
  }

  /**
   * {@code zfs get -H -o property,value PROP[,PROP...] DATASET[@NAME]}: one line per property,
   * property and value separated by a tab; "-" for a user property that is not set.
   */
  public static Command get(String datasetOrSnapshot, List<String> properties) {
    return new Command(List.of("zfs", "get", "-H", "-o", "property,value", String.join(",", properties), datasetOrSnapshot), QUICK);
  }

  /** {@code zfs destroy DATASET@NAME}: removes one snapshot (never its dataset: the name has an '@'). */
  public static Command destroy(String dataset, String name) {
    if (dataset.contains("@") || name.isEmpty()) {
      throw new IllegalArgumentException("only a snapshot is ever destroyed: " + dataset + "@" + name);
    }
    return new Command(List.of("zfs", "destroy", dataset + "@" + name), QUICK);
  }
}
