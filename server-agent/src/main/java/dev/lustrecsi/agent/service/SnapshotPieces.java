package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.SnapshotTags;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.ZfsCommands;
import dev.lustrecsi.agent.lustre.ZfsList;
import dev.lustrecsi.agent.lustre.ZfsList.Snapshot;
import dev.lustrecsi.agent.lustre.ZfsList.TargetDataset;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What ZFS says of this server's targets and their snapshots: which dataset holds which target
 * (by mkfs.lustre's {@code lustre:svname} tag), which snapshots they have, and the properties a
 * snapshot was tagged with. Read fresh on every call: ZFS is the record, the agent keeps none.
 */
final class SnapshotPieces {
  /** A target snapshot as the agent reports it. */
  record Piece(TargetDataset dataset, String name, long creationSeconds) {
    String target() {
      return dataset.target().toString();
    }

    String snapshot() {
      return dataset.dataset() + "@" + name;
    }
  }

  /** The properties a tagged piece carries that say which snapshot filesystem it belongs to. */
  private static final List<String> TAG_PROPERTIES = List.of(SnapshotTags.MAGIC, SnapshotTags.FSNAME);

  private final CommandRunner runner;

  SnapshotPieces(CommandRunner runner) {
    this.runner = runner;
  }

  /**
   * This server's datasets of the filesystem: its MDTs and OSTs, and the MGT, whose configuration
   * logs a snapshot needs to be mounted (each filesystem here has an MGS of its own).
   */
  List<TargetDataset> datasets(String fsName) throws CommandFailedException {
    return ZfsList.targetDatasets(runner.runChecked(ZfsCommands.targetDatasets()).stdout()).stream()
        .filter(d -> d.target().kind() == TargetKind.MGT || d.target().fsName().equals(fsName))
        .toList();
  }

  /** The snapshots of the given datasets that {@code wanted} accepts, in zfs list's order. */
  List<Piece> of(List<TargetDataset> datasets, Predicate<Snapshot> wanted) throws CommandFailedException {
    Map<String, TargetDataset> byName = datasets.stream().collect(Collectors.toMap(TargetDataset::dataset, Function.identity()));
    List<Piece> pieces = new ArrayList<>();
    for (Snapshot snapshot : ZfsList.snapshots(runner.runChecked(ZfsCommands.snapshots()).stdout())) {
      TargetDataset dataset = byName.get(snapshot.dataset());
      if (dataset != null && wanted.test(snapshot)) {
        pieces.add(new Piece(dataset, snapshot.name(), snapshot.creationSeconds()));
      }
    }
    return pieces;
  }

  /** This server's pieces of the named snapshot of the filesystem. */
  List<Piece> named(String fsName, String name) throws CommandFailedException {
    return of(datasets(fsName), snapshot -> snapshot.name().equals(name));
  }

  /** Properties of a dataset or snapshot that are set ("-" ones left out). */
  Map<String, String> properties(String datasetOrSnapshot, List<String> names) throws CommandFailedException {
    return ZfsList.properties(runner.runChecked(ZfsCommands.get(datasetOrSnapshot, names)).stdout());
  }

  /** The filesystem name the piece was tagged with; empty for a piece taken before restorable snapshots. */
  Optional<String> snapshotFsName(Piece piece) throws CommandFailedException {
    return SnapshotTags.snapshotFsName(properties(piece.snapshot(), TAG_PROPERTIES));
  }
}
