package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.BarrierStat;
import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.SnapshotTags;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.agent.lustre.ZfsCommands;
import dev.lustrecsi.agent.lustre.ZfsList.TargetDataset;
import dev.lustrecsi.agent.service.SnapshotPieces.Piece;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The pieces of a Lustre snapshot that one server holds: a ZFS snapshot of each of its targets'
 * datasets, and on the MGS the filesystem's write barrier and the snapshot's forked configuration
 * (Lustre manual, "Lustre ZFS Snapshots"). The controller puts the pieces together across
 * servers; every operation here is idempotent so that it can be retried after a crash on either
 * side.
 */
final class TargetSnapshots {
  private static final System.Logger LOG = System.getLogger(TargetSnapshots.class.getName());
  /** zfs(8)'s characters for a snapshot name, with a leading '-' refused: it would read as an option. */
  private static final Pattern SNAPSHOT_NAME = Pattern.compile("[A-Za-z0-9_.:][A-Za-z0-9_.:-]{0,199}");
  /** Lustre bounds the barrier's lifetime; longer than a few minutes means metadata blocked by a crashed caller for that long. */
  static final int MAX_BARRIER_SECONDS = 300;

  private final CommandRunner runner;
  private final SnapshotPieces pieces;
  private final SnapshotMounts mounts;
  private final Clock clock;

  TargetSnapshots(CommandRunner runner, SnapshotPieces pieces, SnapshotMounts mounts, Clock clock) {
    this.runner = runner;
    this.pieces = pieces;
    this.mounts = mounts;
    this.clock = clock;
  }

  static String checkName(String name) {
    if (name.isEmpty()) {
      throw CsiException.missing("snapshot_name");
    }
    if (!SNAPSHOT_NAME.matcher(name).matches() || name.chars().allMatch(c -> c == '.')) {
      throw CsiException.invalidArgument("snapshot_name", "'" + name + "' is not 1 to 200 of letters, digits, '_', '.', ':' and '-', not starting with '-' nor only dots");
    }
    return name;
  }

  static String checkSnapshotFsName(String fsName, String snapshotFsName) {
    if (snapshotFsName.isEmpty()) {
      throw CsiException.missing("snapshot_fs_name");
    }
    String problem = SnapshotTags.problem(snapshotFsName);
    if (problem != null) {
      throw CsiException.invalidArgument("snapshot_fs_name", problem);
    }
    if (snapshotFsName.equals(fsName)) {
      throw CsiException.invalidArgument("snapshot_fs_name", "'" + snapshotFsName + "' is the live filesystem's own name");
    }
    return snapshotFsName;
  }

  /** Target names as Lustre prints them ("MGS", "fs1-MDT0000", "fs1-OST0003"); a malformed one would never be found. */
  static Set<String> checkTargets(List<String> targets) {
    for (String target : targets) {
      if (TargetName.parse(target).filter(t -> t.kind() == TargetKind.MGT || !t.fsName().isEmpty()).isEmpty()) {
        throw CsiException.invalidArgument("targets", "'" + target + "' is not a target name (MGS, FSNAME-MDTxxxx or FSNAME-OSTxxxx)");
      }
    }
    return Set.copyOf(targets);
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

  /**
   * Snapshots every target of the filesystem on this server, each piece tagged as {@code lctl
   * snapshot_create} tags it (in the same command, so no piece ever exists untagged); one already
   * taken under this name is kept as it is. On the MGS the configuration logs are forked to the
   * snapshot's name too, after the MGT's piece is taken: that piece's tag is what a later destroy
   * reads to erase the fork, so a crash in between leaves nothing destroy cannot find (the MGT's
   * piece is never mounted, so it need not hold the fork itself).
   *
   * <p>{@code targets} names the targets to take (all of them when empty): the controller leaves
   * out one a drain has deleted from the configuration, whose dataset stays here until its pool
   * is exported. That OST holds no data by then, and del_ost cancelled its records, so no
   * snapshot's forked configuration names it: a piece of it would hold nothing a restore reads.
   */
  List<Piece> create(String fsName, String name, String snapshotFsName, Set<String> targets) throws CommandFailedException {
    List<TargetDataset> datasets = pieces.datasets(fsName).stream()
        .filter(d -> targets.isEmpty() || targets.contains(d.target().toString())).toList();
    Set<String> missing = new TreeSet<>(targets);
    datasets.forEach(d -> missing.remove(d.target().toString()));
    if (!missing.isEmpty()) {
      // The caller read the filesystem's status before a drain let go of the target here: its retry reads it again.
      throw CsiException.unavailable("this server holds no dataset of " + missing + " (tagged lustre:svname); a drain may have released"
          + " it since the caller looked; retry");
    }
    if (datasets.isEmpty()) {
      throw CsiException.failedPrecondition("this server holds no target of filesystem " + fsName + " (no dataset tagged lustre:svname for it)");
    }
    Set<String> taken = pieces.of(datasets, s -> s.name().equals(name)).stream().map(p -> p.dataset().dataset()).collect(Collectors.toSet());
    for (TargetDataset dataset : datasets) {
      if (!taken.contains(dataset.dataset())) {
        boolean mgt = dataset.target().kind() == TargetKind.MGT;
        // The live dataset's MGS node, which mkfs.lustre recorded: the snapshot registers with the same MGS.
        String mgsNode = mgt ? null : pieces.properties(dataset.dataset(), List.of(SnapshotTags.MGSNODE)).get(SnapshotTags.MGSNODE);
        runner.runChecked(ZfsCommands.snapshot(dataset.dataset(), name,
            SnapshotTags.of(snapshotFsName, dataset.target(), mgsNode, clock.instant().getEpochSecond())));
      }
    }
    if (datasets.stream().anyMatch(d -> d.target().kind() == TargetKind.MGT)) {
      fork(fsName, snapshotFsName);
    }
    return pieces.of(datasets, s -> s.name().equals(name));
  }

  /**
   * {@code lctl fork_lcfg}, done once. What real Lustre answers when the logs of the new name
   * exist already is believed, from lctl's fork_lcfg and the MGS's check that the new name is
   * unused, to be a failure printing "OBD_IOC_LCFG_FORK failed: File exists" (EEXIST); this is
   * not verified on a real MGS. A retry after a crash that forked already must not fail, so that
   * answer counts as done.
   */
  private void fork(String fsName, String snapshotFsName) throws CommandFailedException {
    CommandResult forked = runner.run(LustreCommands.forkConfig(fsName, snapshotFsName));
    if (!forked.succeeded() && !forked.errorText().contains("File exists")) {
      throw new CommandFailedException(forked);
    }
  }

  /**
   * Destroys this server's pieces of the named snapshot; the ones already gone are no error. The
   * snapshot is unmounted here first (on the MDS its client mount too): ZFS refuses to destroy a
   * busy snapshot. On the MGS the forked configuration named by the MGT piece's tag is erased
   * before the piece goes, so a crash in between leaves the tag for the retry to read. A piece
   * taken before restorable snapshots has no tag and no fork: it is just destroyed.
   */
  List<Piece> destroy(String fsName, String name) throws CommandFailedException {
    List<Piece> present = pieces.named(fsName, name);
    if (!present.isEmpty()) {
      mounts.unmount(fsName, name);
    }
    for (Piece piece : present) {
      if (piece.dataset().target().kind() == TargetKind.MGT) {
        Optional<String> snapshotFsName = pieces.snapshotFsName(piece);
        if (snapshotFsName.isPresent() && !snapshotFsName.get().equals(fsName)) {
          erase(snapshotFsName.get());
        }
      }
      runner.runChecked(ZfsCommands.destroy(piece.dataset().dataset(), name));
      LOG.log(Level.INFO, "destroyed snapshot " + piece.snapshot() + " of " + piece.target());
    }
    return present;
  }

  /** {@code lctl erase_lcfg}; logs already erased ("No such file or directory", ENOENT) are what was wanted. */
  private void erase(String snapshotFsName) throws CommandFailedException {
    CommandResult erased = runner.run(LustreCommands.eraseConfig(snapshotFsName));
    if (!erased.succeeded() && !erased.errorText().contains("No such file or directory")) {
      throw new CommandFailedException(erased);
    }
  }

  List<Piece> list(String fsName) throws CommandFailedException {
    return pieces.of(pieces.datasets(fsName), snapshot -> true);
  }
}
