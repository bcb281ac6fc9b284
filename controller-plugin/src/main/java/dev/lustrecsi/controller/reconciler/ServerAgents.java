package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.CheckServersResponse;
import dev.lustrecsi.agent.v1.CopySnapshotDirectoryRequest;
import dev.lustrecsi.agent.v1.CopySnapshotDirectoryResponse;
import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetProjectUsageRequest;
import dev.lustrecsi.agent.v1.GetProjectUsageResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.MigrateOstFilesRequest;
import dev.lustrecsi.agent.v1.MigrateOstFilesResponse;
import dev.lustrecsi.agent.v1.SetProjectQuotaRequest;
import dev.lustrecsi.agent.v1.TargetSnapshot;
import java.util.List;

/**
 * The controller's line to the agents in the server VMs, each reached at its VM's pod-network
 * address, and to the agent on the management host of a filesystem the site runs, reached at
 * the HOST:PORT its spec gives. {@code filesystem} names the LustreFilesystem object, whose agents share one server
 * certificate. Calls throw {@link AgentUnavailableException} when the agent cannot be reached or
 * does not answer in time, and a {@code CsiException} with the agent's own code and message when
 * it answers with an error.
 */
public interface ServerAgents {
  GetHealthResponse health(String filesystem, String server, String address) throws AgentUnavailableException;

  /** lfs df as the MDS's client mount sees it. */
  GetTargetUsageResponse targetUsage(String filesystem, String mdsAddress, String fsName) throws AgentUnavailableException;

  void ensureVolumeDirectory(String filesystem, String mdsAddress, EnsureVolumeDirectoryRequest request) throws AgentUnavailableException;

  void setProjectQuota(String filesystem, String mdsAddress, SetProjectQuotaRequest request) throws AgentUnavailableException;

  void deleteVolumeDirectory(String filesystem, String mdsAddress, DeleteVolumeDirectoryRequest request) throws AgentUnavailableException;

  GetProjectUsageResponse projectUsage(String filesystem, String mdsAddress, GetProjectUsageRequest request) throws AgentUnavailableException;

  /** lctl barrier_freeze on the MGS: metadata changes block until thawed or {@code timeoutSeconds} pass. */
  void freezeBarrier(String filesystem, String mgsAddress, String fsName, int timeoutSeconds) throws AgentUnavailableException;

  /** Thaws the MGS's barrier if it holds; returns its state before ("frozen" when it held until now). */
  String thawBarrier(String filesystem, String mgsAddress, String fsName) throws AgentUnavailableException;

  /**
   * A ZFS snapshot named {@code name} of each of {@code targets} (the server's targets of the
   * filesystem that are in service, by name), tagged to be mounted as filesystem {@code
   * snapshotFsName} (on the MGS, its configuration logs forked to that name first).
   */
  List<TargetSnapshot> createTargetSnapshots(String filesystem, String address, String fsName, String name, String snapshotFsName,
      List<String> targets) throws AgentUnavailableException;

  /** Destroys the server's ZFS snapshots named {@code name}; returns those it destroyed. */
  List<TargetSnapshot> destroyTargetSnapshots(String filesystem, String address, String fsName, String name) throws AgentUnavailableException;

  /** Every ZFS snapshot of the server's targets of the filesystem. */
  List<TargetSnapshot> listTargetSnapshots(String filesystem, String address, String fsName) throws AgentUnavailableException;

  /** Mounts the server's pieces of the Lustre snapshot read-only (the MGT's never); returns the pieces mounted. */
  List<TargetSnapshot> mountTargetSnapshots(String filesystem, String address, String fsName, String name) throws AgentUnavailableException;

  /** Unmounts the Lustre snapshot on the server (on the MDS its client mount too); not mounted is fine. */
  void unmountTargetSnapshots(String filesystem, String address, String fsName, String name) throws AgentUnavailableException;

  /** On the MDS: starts, or reports, the copy of a directory of the mounted snapshot into one of the live filesystem. */
  CopySnapshotDirectoryResponse copySnapshotDirectory(String filesystem, String mdsAddress, CopySnapshotDirectoryRequest request)
      throws AgentUnavailableException;

  /** On the MDS: no new objects on the OST. */
  void stopOstCreation(String filesystem, String mdsAddress, String fsName, int ostIndex) throws AgentUnavailableException;

  /** On the MDS's client mount: one batch of the OST's files migrated elsewhere. */
  MigrateOstFilesResponse migrateOstFiles(String filesystem, String mdsAddress, MigrateOstFilesRequest request) throws AgentUnavailableException;

  /** On the MGS: the OST deactivated for good and deleted from the configuration logs; true if it already was. */
  boolean removeOst(String filesystem, String mgsAddress, String fsName, int ostIndex) throws AgentUnavailableException;

  /** On the MGS: whether the configuration logs name the OST no more (its removal done); changes nothing. */
  boolean ostRemoved(String filesystem, String mgsAddress, String fsName, int ostIndex) throws AgentUnavailableException;

  /** On the OSS: the OST unmounted and its pool exported. */
  void releaseOst(String filesystem, String ossAddress, String fsName, int ostIndex) throws AgentUnavailableException;

  /** lfs check servers as the agent's client mount sees it: the external filesystems' health. */
  CheckServersResponse checkServers(String filesystem, String address, String fsName) throws AgentUnavailableException;

  /** Thrown when an agent cannot be reached or does not answer in time. */
  final class AgentUnavailableException extends Exception {
    public AgentUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
