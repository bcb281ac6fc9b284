package dev.lustrecsi.controller.content;

import dev.lustrecsi.agent.v1.CopySnapshotDirectoryRequest;
import dev.lustrecsi.agent.v1.CopySnapshotDirectoryResponse;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.controller.cluster.FilesystemServers;
import dev.lustrecsi.controller.cluster.FilesystemServers.Server;
import dev.lustrecsi.controller.cluster.FilesystemServers.Servers;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import dev.lustrecsi.controller.reconciler.ServerAgents;
import dev.lustrecsi.controller.reconciler.ServerAgents.AgentUnavailableException;
import java.util.Comparator;
import java.util.List;

/**
 * A Lustre snapshot mounted beside the live filesystem, as {@code lctl snapshot_mount} does it
 * (Lustre manual, "Lustre ZFS Snapshots"), through the agents: every server mounts its pieces
 * read-only, except the MGS, whose live configuration serves the snapshot's forked logs; the MDS's
 * agent mounts the snapshot as a client to copy from it. Each call is idempotent on the agent's side.
 */
public final class SnapshotMounts {
  /** The MDS first, then the OSSs: how Lustre brings a filesystem up, metadata before data. */
  private static final Comparator<Server> MOUNT_ORDER = Comparator.comparing((Server s) -> !TargetKinds.MDS.equals(s.role()))
      .thenComparing(Server::name);

  private final FilesystemServers servers;
  private final ServerAgents agents;

  public SnapshotMounts(FilesystemServers servers, ServerAgents agents) {
    this.servers = servers;
    this.agents = agents;
  }

  /**
   * Mounts the snapshot's pieces on every server that has them. A server that holds none (an OSS
   * the filesystem grew onto after the snapshot was taken) is left out: its OSTs are not part of
   * the snapshot, and its agent would refuse a snapshot it does not know.
   */
  public void mount(String fsName, String snapshot) {
    Servers all = servers.of(fsName);
    for (Server server : holders(all)) {
      try {
        boolean holds = agents.listTargetSnapshots(all.filesystem(), server.address(), fsName).stream()
            .anyMatch(piece -> piece.getSnapshotName().equals(snapshot));
        if (holds) {
          agents.mountTargetSnapshots(all.filesystem(), server.address(), fsName, snapshot);
        }
      } catch (AgentUnavailableException e) {
        throw CsiException.unavailable("could not mount snapshot " + snapshot + " on " + server.name() + ": " + e.getMessage() + "; retry later");
      }
    }
  }

  /**
   * Unmounts the snapshot everywhere: the MDS first, whose agent drops its client mount before its
   * pieces, so no client of the snapshot is left reading from pieces that went.
   */
  public void unmount(String fsName, String snapshot) {
    Servers all = servers.of(fsName);
    for (Server server : holders(all)) {
      try {
        agents.unmountTargetSnapshots(all.filesystem(), server.address(), fsName, snapshot);
      } catch (AgentUnavailableException e) {
        throw CsiException.unavailable("could not unmount snapshot " + snapshot + " on " + server.name() + ": " + e.getMessage() + "; retry later");
      }
    }
  }

  /** Starts the copy of {@code sourceDirectory} in the mounted snapshot into {@code targetDirectory} on the MDS, or reports it. */
  public CopySnapshotDirectoryResponse copy(String fsName, String snapshot, String sourceDirectory, String targetDirectory) {
    Servers all = servers.of(fsName);
    Server mds = all.servers().stream().filter(s -> TargetKinds.MDS.equals(s.role())).findFirst()
        .orElseThrow(() -> CsiException.unavailable("filesystem " + fsName + " has no running MDS; retry later"));
    try {
      return agents.copySnapshotDirectory(all.filesystem(), mds.address(), CopySnapshotDirectoryRequest.newBuilder().setFsName(fsName)
          .setSnapshotName(snapshot).setSourceDirectory(sourceDirectory).setTargetDirectory(targetDirectory).build());
    } catch (AgentUnavailableException e) {
      throw CsiException.unavailable("could not copy from snapshot " + snapshot + " on " + mds.name() + ": " + e.getMessage() + "; retry later");
    }
  }

  private static List<Server> holders(Servers all) {
    return all.servers().stream().filter(s -> !TargetKinds.MGS.equals(s.role())).sorted(MOUNT_ORDER).toList();
  }
}
