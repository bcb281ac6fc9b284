package dev.lustrecsi.agent.lustre;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Parsers for the scripted forms of {@code zfs list} that {@link ZfsCommands} runs. */
public final class ZfsList {
  private ZfsList() {}

  /** A dataset holding a Lustre target. */
  public record TargetDataset(String dataset, TargetName target) {}

  /** A snapshot of a dataset. */
  public record Snapshot(String dataset, String name, long creationSeconds) {}

  /** The datasets whose {@code lustre:svname} names a target; datasets without one ("-") are skipped. */
  public static List<TargetDataset> targetDatasets(String output) {
    List<TargetDataset> datasets = new ArrayList<>();
    for (String[] fields : rows("zfs list -o name,lustre:svname", output)) {
      if (fields[1].equals("-")) {
        continue;
      }
      Optional<TargetName> target = TargetName.parse(fields[1]);
      if (target.isEmpty()) {
        throw new UnexpectedOutputException("zfs list", "lustre:svname " + fields[1] + " of " + fields[0] + " is not a target name");
      }
      datasets.add(new TargetDataset(fields[0], target.get()));
    }
    return List.copyOf(datasets);
  }

  /** Every snapshot listed, split at the '@'. */
  public static List<Snapshot> snapshots(String output) {
    List<Snapshot> snapshots = new ArrayList<>();
    for (String[] fields : rows("zfs list -o name,creation", output)) {
      int at = fields[0].indexOf('@');
      if (at <= 0 || at == fields[0].length() - 1) {
        throw new UnexpectedOutputException("zfs list", "snapshot name " + fields[0] + " has no '@'");
      }
      long creation;
      try {
        creation = Long.parseLong(fields[1]);
      } catch (NumberFormatException e) {
        throw new UnexpectedOutputException("zfs list", "creation " + fields[1] + " of " + fields[0] + " is not seconds (was -p given?)");
      }
      snapshots.add(new Snapshot(fields[0].substring(0, at), fields[0].substring(at + 1), creation));
    }
    return List.copyOf(snapshots);
  }

  /**
   * The output of {@code zfs get -H -o property,value}: each property's value, "-" (a user
   * property not set) left out, so a missing key means unset.
   */
  public static java.util.Map<String, String> properties(String output) {
    java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
    for (String[] fields : rows("zfs get -o property,value", output)) {
      if (!fields[1].equals("-")) {
        values.put(fields[0], fields[1]);
      }
    }
    return values;
  }

  private static List<String[]> rows(String what, String output) {
    List<String[]> rows = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] fields = line.split("\t", -1);
      if (fields.length != 2) {
        throw new UnexpectedOutputException(what, "expected two tab-separated fields, got: " + line);
      }
      rows.add(fields);
    }
    return rows;
  }
}
