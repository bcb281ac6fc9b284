package dev.lustrecsi.controller.snapshot;

import dev.lustrecsi.agent.v1.TargetSnapshot;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.controller.cluster.FilesystemServers;
import dev.lustrecsi.controller.cluster.FilesystemServers.Server;
import dev.lustrecsi.controller.cluster.FilesystemServers.Servers;
import dev.lustrecsi.controller.reconciler.ServerAgents;
import dev.lustrecsi.controller.reconciler.ServerAgents.AgentUnavailableException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * Filesystem-wide Lustre snapshots, as {@code lctl snapshot_create} makes them (Lustre manual,
 * "Lustre ZFS Snapshots"), with the agents doing each server's part: freeze the write barrier on
 * the MGS, take a ZFS snapshot of every target on every server, thaw. The snapshot is whole only
 * if the barrier still held when the last target was snapshotted: the thaw reports the state it
 * found, and an expired barrier means the targets may disagree, so the pieces are destroyed and
 * the call fails for the CO to retry.
 *
 * <p>The barrier is held for the ZFS snapshots only (each a moment's work); everything that can be
 * done before (finding the servers and their addresses) is. It is thawed on every path out, and
 * the freeze carries a timeout so that a controller that dies while holding it blocks metadata
 * changes for at most that long.
 */
public final class LustreSnapshots implements SnapshotBatches.Snapshotter {
  private static final System.Logger LOG = System.getLogger(LustreSnapshots.class.getName());

  private final FilesystemServers servers;
  private final ServerAgents agents;
  private final int barrierSeconds;

  /** @param barrierSeconds the freeze's timeout: longer than the snapshots take, short enough to bound a crashed caller's harm */
  public LustreSnapshots(FilesystemServers servers, ServerAgents agents, int barrierSeconds) {
    this.servers = servers;
    this.agents = agents;
    this.barrierSeconds = barrierSeconds;
  }

  /**
   * Takes the Lustre snapshot {@code name} of the whole filesystem and returns its creation time
   * (seconds). Pieces left under this name by an earlier attempt are destroyed first: a snapshot
   * is only ever as old as the barrier it was taken under.
   */
  @Override
  public long take(String fsName, String name) {
    Servers all = servers.of(fsName);
    destroyPieces(all, fsName, name);
    // What it will be mounted as to restore from it; the same name on every attempt.
    String snapshotFsName = SnapshotFsNames.of(fsName, name);
    List<TargetSnapshot> pieces = new ArrayList<>();
    try {
      // A barrier that holds now was left by a caller that died (snapshot work on a filesystem is
      // one at a time, and the CO's sidecar calls one controller): thawed, not waited out.
      agents.thawBarrier(all.filesystem(), all.mgs().address(), fsName);
      agents.freezeBarrier(all.filesystem(), all.mgs().address(), fsName, barrierSeconds);
      for (Server server : all.servers()) {
        // Its targets in service only: an OST a drain deleted from the configuration stays on its
        // server until its pool is exported, empty and named by no snapshot's configuration.
        // (An agent older than that ignores the list: its pieces of other targets are not counted.)
        agents.createTargetSnapshots(all.filesystem(), server.address(), fsName, name, snapshotFsName, server.targets()).stream()
            .filter(piece -> server.targets().contains(piece.getTarget())).forEach(pieces::add);
      }
      String held = agents.thawBarrier(all.filesystem(), all.mgs().address(), fsName);
      if (!"frozen".equals(held)) {
        throw CsiException.unavailable("the write barrier of " + fsName + " was " + held + " before every target of snapshot " + name
            + " was taken, so its targets may disagree; it was discarded: retry");
      }
      if (pieces.size() != all.targetCount()) {
        throw CsiException.internal("snapshot " + name + " of " + fsName + " has " + pieces.size() + " target snapshots for "
            + all.targetCount() + " targets", null);
      }
      long creation = pieces.stream().mapToLong(TargetSnapshot::getCreationSeconds).min().orElseThrow();
      LOG.log(Level.INFO, "took snapshot " + name + " of " + fsName + ": " + pieces.size() + " targets");
      return creation;
    } catch (AgentUnavailableException e) {
      discard(all, fsName, name);
      throw CsiException.unavailable("snapshot " + name + " of " + fsName + " failed: " + e.getMessage() + "; retry later");
    } catch (RuntimeException e) {
      discard(all, fsName, name);
      throw e;
    }
  }

  @Override
  public void requireSnapshottable(String fsName) {
    servers.requireOwn(fsName);
  }

  /**
   * Destroys every target's piece of the snapshot; pieces already gone are fine. A filesystem the
   * site runs holds none (none could be taken there), so a record an earlier version wrote for
   * one is let go rather than kept DELETING for ever.
   */
  @Override
  public void destroy(String fsName, String name) {
    if (servers.runBySite(fsName)) {
      return;
    }
    Servers all = servers.of(fsName);
    destroyPieces(all, fsName, name);
  }

  /** The names of the Lustre snapshots that some target holds. */
  public List<String> names(String fsName) {
    Servers all = servers.of(fsName);
    List<String> names = new ArrayList<>();
    for (Server server : all.servers()) {
      try {
        agents.listTargetSnapshots(all.filesystem(), server.address(), fsName).stream().map(TargetSnapshot::getSnapshotName)
            .filter(n -> !names.contains(n)).forEach(names::add);
      } catch (AgentUnavailableException e) {
        throw CsiException.unavailable("could not list the snapshots of " + server.name() + ": " + e.getMessage() + "; retry later");
      }
    }
    return names;
  }

  private void destroyPieces(Servers all, String fsName, String name) {
    for (Server server : all.servers()) {
      try {
        agents.destroyTargetSnapshots(all.filesystem(), server.address(), fsName, name);
      } catch (AgentUnavailableException e) {
        throw CsiException.unavailable("could not destroy snapshot " + name + " on " + server.name() + ": " + e.getMessage() + "; retry later");
      }
    }
  }

  /**
   * A failed attempt's clean-up: thaw first (metadata changes wait on it), then destroy the
   * pieces. The thaw is asked for even when the freeze seemed to fail (its answer may be what
   * was lost), which is safe because the agent thaws only a barrier that holds. Failures here are logged, not thrown: the caller's failure is the one to report, the
   * barrier's timeout ends a thaw that did not get through, and the retry destroys leftover pieces.
   */
  private void discard(Servers all, String fsName, String name) {
    try {
      agents.thawBarrier(all.filesystem(), all.mgs().address(), fsName);
    } catch (AgentUnavailableException | RuntimeException e) {
      LOG.log(Level.WARNING, "could not thaw the write barrier of " + fsName + " (it expires by itself in " + barrierSeconds + "s): " + e.getMessage());
    }
    try {
      destroyPieces(all, fsName, name);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "pieces of failed snapshot " + name + " of " + fsName + " are left for the retry to destroy: " + e.getMessage());
    }
  }
}
