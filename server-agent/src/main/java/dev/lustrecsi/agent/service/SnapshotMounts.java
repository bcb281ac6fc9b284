package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.MountList;
import dev.lustrecsi.agent.lustre.MountList.Mount;
import dev.lustrecsi.agent.lustre.SnapshotTags;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.ZfsList.TargetDataset;
import dev.lustrecsi.agent.service.SnapshotPieces.Piece;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandRunner;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Mounting a Lustre snapshot beside the live filesystem, as {@code lctl snapshot_mount} does:
 * each server mounts its targets' pieces read-only, and the MDS mounts the snapshot as a
 * read-only client under the snapshot's own filesystem name. Mount points lie in a directory the
 * agent owns, {@code ROOT/FSNAME/SNAPSHOT/SERIAL} for a piece and {@code ROOT/FSNAME/SNAPSHOT/client}
 * for the client. What is mounted is read from {@code mount -t lustre} on every call, never
 * remembered, so every operation is idempotent and right after an agent restart. Calls are
 * serialised: a retry overlapping a slow first call must find its mount made, not stack a second
 * one on the same mount point.
 */
final class SnapshotMounts {
  private static final System.Logger LOG = System.getLogger(SnapshotMounts.class.getName());
  static final String CLIENT = "client";

  private final CommandRunner runner;
  private final SnapshotPieces pieces;
  private final Path root;

  SnapshotMounts(CommandRunner runner, SnapshotPieces pieces, Path root) {
    this.runner = runner;
    this.pieces = pieces;
    this.root = root.toAbsolutePath().normalize();
  }

  Path directory(String fsName, String name) {
    return root.resolve(fsName).resolve(name);
  }

  /** Where the snapshot's client mount goes on the MDS. */
  Path clientMountPoint(String fsName, String name) {
    return directory(fsName, name).resolve(CLIENT);
  }

  /**
   * Mounts this server's pieces of the snapshot that are not mounted yet; the MGT's piece never
   * (the live MGS serves the snapshot's forked configuration). MDT0 gets {@code nomgs}, as
   * lsnapshot mounts it, so that it never tries to start an MGS of its own.
   *
   * @return the pieces mounted now, the ones mounted before included
   */
  synchronized List<Piece> mount(String fsName, String name) throws CommandFailedException, IOException {
    List<Piece> all = existing(fsName, name);
    List<Piece> mountable = all.stream().filter(p -> p.dataset().target().kind() != TargetKind.MGT).toList();
    Set<String> mounted = lustreMounts().stream().map(Mount::source).collect(Collectors.toSet());
    for (Piece piece : mountable) {
      if (mounted.contains(piece.snapshot())) {
        continue;
      }
      requireTagged(piece);
      Path mountPoint = directory(fsName, name).resolve(serial(piece.dataset()));
      Files.createDirectories(mountPoint);
      List<String> options = piece.dataset().target().kind() == TargetKind.MDT && piece.dataset().target().index() == 0
          ? List.of("rdonly_dev", "nomgs") : List.of("rdonly_dev");
      runner.runChecked(LustreCommands.mountTargetSnapshot(piece.dataset().dataset(), name, options, mountPoint));
      LOG.log(Level.INFO, "mounted snapshot " + piece.snapshot() + " at " + mountPoint);
    }
    return mountable;
  }

  /**
   * Mounts the snapshot as a read-only client on this server (the MDS: the one holding MDT0's
   * piece, whose tags name the snapshot's filesystem and its MGS) unless it is mounted, and says
   * where. Needs every piece mounted by {@link #mount} on every server first, as mount.lustre
   * needs the targets up.
   */
  synchronized Path mountClient(String fsName, String name) throws CommandFailedException, IOException {
    Piece mdt0 = existing(fsName, name).stream()
        .filter(p -> p.dataset().target().kind() == TargetKind.MDT && p.dataset().target().index() == 0)
        .findFirst()
        .orElseThrow(() -> CsiException.failedPrecondition("snapshot " + name + " of " + fsName
            + " has no MDT0000 piece on this server: its client is mounted on the MDS"));
    String snapshotFsName = requireTagged(mdt0);
    Path mountPoint = clientMountPoint(fsName, name);
    if (lustreMounts().stream().anyMatch(m -> m.mountPoint().equals(mountPoint))) {
      return mountPoint;
    }
    String mgsNode = pieces.properties(mdt0.snapshot(), List.of(SnapshotTags.MGSNODE)).get(SnapshotTags.MGSNODE);
    if (mgsNode == null) {
      throw CsiException.failedPrecondition("snapshot " + mdt0.snapshot() + " carries no " + SnapshotTags.MGSNODE + ": its MGS is unknown");
    }
    Files.createDirectories(mountPoint);
    runner.runChecked(LustreCommands.mountSnapshotClient(mgsNode, snapshotFsName, mountPoint));
    LOG.log(Level.INFO, "mounted snapshot " + name + " of " + fsName + " as " + snapshotFsName + " at " + mountPoint);
    return mountPoint;
  }

  /**
   * Unmounts the snapshot here: the client mount first (it holds the pieces busy), then each of
   * this server's pieces wherever it is mounted; then the empty mount points go. Not mounted is
   * fine.
   */
  synchronized void unmount(String fsName, String name) throws CommandFailedException {
    List<Mount> mounts = lustreMounts();
    Path client = clientMountPoint(fsName, name);
    for (Mount mount : mounts) {
      if (mount.mountPoint().equals(client)) {
        runner.runChecked(LustreCommands.unmount(client));
        LOG.log(Level.INFO, "unmounted the client of snapshot " + name + " of " + fsName);
      }
    }
    Set<String> ours = pieces.datasets(fsName).stream().map(d -> d.dataset() + "@" + name).collect(Collectors.toSet());
    for (Mount mount : mounts) {
      if (ours.contains(mount.source())) {
        runner.runChecked(LustreCommands.unmount(mount.mountPoint()));
        LOG.log(Level.INFO, "unmounted snapshot " + mount.source() + " from " + mount.mountPoint());
      }
    }
    removeEmpty(directory(fsName, name));
  }

  private List<Piece> existing(String fsName, String name) throws CommandFailedException {
    List<TargetDataset> datasets = pieces.datasets(fsName);
    if (datasets.isEmpty()) {
      throw CsiException.failedPrecondition("this server holds no target of filesystem " + fsName + " (no dataset tagged lustre:svname for it)");
    }
    List<Piece> found = pieces.of(datasets, s -> s.name().equals(name));
    if (found.isEmpty()) {
      throw CsiException.notFound("snapshot_name: no target of " + fsName + " on this server has a snapshot " + name);
    }
    return found;
  }

  /** The piece's snapshot filesystem name; FAILED_PRECONDITION for a piece taken before snapshots were made mountable. */
  private String requireTagged(Piece piece) throws CommandFailedException {
    return pieces.snapshotFsName(piece).orElseThrow(() -> CsiException.failedPrecondition("snapshot " + piece.snapshot()
        + " predates restorable snapshots: it carries no snapshot filesystem name (" + SnapshotTags.FSNAME + " with "
        + SnapshotTags.MAGIC + "), so it cannot be mounted beside the live filesystem"));
  }

  private List<Mount> lustreMounts() throws CommandFailedException {
    return MountList.parse(runner.runChecked(LustreCommands.lustreMounts()).stdout());
  }

  private static String serial(TargetDataset dataset) {
    return String.format(Locale.ROOT, "%s%04x", dataset.target().kind().name().toLowerCase(Locale.ROOT), dataset.target().index());
  }

  /** Removes the snapshot's mount point directories if they are empty; whatever still holds something stays. */
  private static void removeEmpty(Path directory) {
    List<Path> paths = new ArrayList<>();
    try (var children = Files.list(directory)) {
      children.forEach(paths::add);
    } catch (NoSuchFileException gone) {
      return;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot list " + directory + ": " + e.getMessage());
      return;
    }
    paths.add(directory);
    for (Path path : paths) {
      try {
        Files.deleteIfExists(path);
      } catch (DirectoryNotEmptyException busy) {
        LOG.log(Level.WARNING, "leaving " + path + ": it is not empty (still mounted?)");
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot remove " + path + ": " + e.getMessage());
      }
    }
  }
}
