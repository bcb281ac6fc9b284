package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.BarrierStat;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.ZfsCommands;
import dev.lustrecsi.agent.lustre.ZfsList;
import dev.lustrecsi.agent.lustre.ZfsList.Snapshot;
import dev.lustrecsi.agent.lustre.ZfsList.TargetDataset;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandRunner;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The pieces of a Lustre snapshot that one server holds: a ZFS snapshot of each of its targets'
 * datasets, and on the MGS the filesystem's write barrier (Lustre manual, "Lustre ZFS Snapshots").
 * The controller puts the pieces together across servers; every operation here is idempotent so
 * that it can be retried after a crash on either side.
 */
final class TargetSnapshots {
  private static final System.Logger LOG = System.getLogger(TargetSnapshots.class.getName());
  /** zfs(8)'s characters for a snapshot name, with a leading '-' refused: it would read as an option. */
  private static final Pattern SNAPSHOT_NAME = Pattern.compile("[A-Za-z0-9_.:][A-Za-z0-9_.:-]{0,199}");
  /** Lustre bounds the barrier's lifetime; longer than a few minutes means metadata blocked by a crashed caller for that long. */
  static final int MAX_BARRIER_SECONDS = 300;

  /** A target snapshot as the agent reports it. */
  record Piece(String target, String dataset, String name, long creationSeconds) {}

  private final CommandRunner runner;

  TargetSnapshots(CommandRunner runner) {
    this.runner = runner;
  }

  static String checkName(String name) {
    if (name.isEmpty()) {
      throw CsiException.missing("snapshot_name");
    }
    if (!SNAPSHOT_NAME.matcher(name).matches()) {
      throw CsiException.invalidArgument("snapshot_name", "'" + name + "' is not 1 to 200 of letters, digits, '_', '.', ':' and '-', not starting with '-'");
    }
    return name;
  }

  static int checkTimeout(int seconds) {
    if (seconds < 1 || seconds > MAX_BARRIER_SECONDS) {
      throw CsiException.invalidArgument("timeout_seconds", seconds + " is not between 1 and " + MAX_BARRIER_SECONDS);
    }
    return seconds;
  }

  void freeze(String fsName, int timeoutSeconds) throws CommandFailedException {
    runner.runChecked(LustreCommands.barrierFreeze(fsName, timeoutSeconds));
  }

  /**
   * Thaws the barrier if it holds, and says what state it was in. A barrier that expired or was
   * thawed already is left alone: lctl refuses to thaw it, and a retried thaw must not fail.
   */
  BarrierStat thaw(String fsName) throws CommandFailedException {
    BarrierStat before = BarrierStat.parse(fsName, runner.runChecked(LustreCommands.barrierStat(fsName)).stdout());
    if (before.holds()) {
      runner.runChecked(LustreCommands.barrierThaw(fsName));
    }
    return before;
  }

  /** Snapshots every target of the filesystem on this server; one already taken under this name is kept as it is. */
  List<Piece> create(String fsName, String name) throws CommandFailedException {
    List<TargetDataset> datasets = datasets(fsName);
    if (datasets.isEmpty()) {
      throw CsiException.failedPrecondition("this server holds no target of filesystem " + fsName + " (no dataset tagged lustre:svname for it)");
    }
    Map<String, Snapshot> existing = byDataset(name);
    for (TargetDataset dataset : datasets) {
      if (!existing.containsKey(dataset.dataset())) {
        runner.runChecked(ZfsCommands.snapshot(dataset.dataset(), name));
      }
    }
    return pieces(datasets, snapshot -> snapshot.name().equals(name));
  }

  /** Destroys this server's pieces of the named snapshot; the ones already gone are no error. */
  List<Piece> destroy(String fsName, String name) throws CommandFailedException {
    List<TargetDataset> datasets = datasets(fsName);
    List<Piece> present = pieces(datasets, snapshot -> snapshot.name().equals(name));
    for (Piece piece : present) {
      runner.runChecked(ZfsCommands.destroy(piece.dataset(), name));
      LOG.log(Level.INFO, "destroyed snapshot " + piece.dataset() + "@" + name + " of " + piece.target());
    }
    return present;
  }

  List<Piece> list(String fsName) throws CommandFailedException {
    return pieces(datasets(fsName), snapshot -> true);
  }

  private List<Piece> pieces(List<TargetDataset> datasets, java.util.function.Predicate<Snapshot> wanted) throws CommandFailedException {
    Map<String, TargetDataset> byName = datasets.stream().collect(Collectors.toMap(TargetDataset::dataset, Function.identity()));
    List<Piece> pieces = new ArrayList<>();
    for (Snapshot snapshot : ZfsList.snapshots(runner.runChecked(ZfsCommands.snapshots()).stdout())) {
      TargetDataset dataset = byName.get(snapshot.dataset());
      if (dataset != null && wanted.test(snapshot)) {
        pieces.add(new Piece(dataset.target().toString(), snapshot.dataset(), snapshot.name(), snapshot.creationSeconds()));
      }
    }
    return pieces;
  }

  private Map<String, Snapshot> byDataset(String name) throws CommandFailedException {
    return ZfsList.snapshots(runner.runChecked(ZfsCommands.snapshots()).stdout()).stream()
        .filter(s -> s.name().equals(name))
        .collect(Collectors.toMap(Snapshot::dataset, Function.identity()));
  }

  /**
   * This server's datasets of the filesystem: its MDTs and OSTs, and the MGT, whose configuration
   * logs a snapshot needs to be mounted (each filesystem here has an MGS of its own).
   */
  private List<TargetDataset> datasets(String fsName) throws CommandFailedException {
    return ZfsList.targetDatasets(runner.runChecked(ZfsCommands.targetDatasets()).stdout()).stream()
        .filter(d -> d.target().kind() == TargetKind.MGT || d.target().fsName().equals(fsName))
        .toList();
  }
}
