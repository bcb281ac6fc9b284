package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.Target;
import dev.lustrecsi.agent.v1.TargetUsage;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Agents as the reconciler's tests need them: an agent answers at the address of a running
 * instance and reports the targets its filesystem's status places on its VM as up. Tests of the
 * real agent over mutual TLS live with the agent; this double keeps the reconciler's tests about
 * the reconciler.
 */
class FakeAgents implements ServerAgents {
  private final KubernetesClient client;
  private final KubeVirtSimulator kubevirt;
  private final java.util.Set<String> recovering = java.util.concurrent.ConcurrentHashMap.newKeySet();

  FakeAgents(KubernetesClient client, KubeVirtSimulator kubevirt) {
    this.client = client;
    this.kubevirt = kubevirt;
  }

  void recovering(String targetName, boolean inRecovery) {
    if (inRecovery) {
      recovering.add(targetName);
    } else {
      recovering.remove(targetName);
    }
  }

  @Override
  public GetHealthResponse health(String filesystem, String server, String address) throws AgentUnavailableException {
    if (!address.equals(kubevirt.running().get(server))) {
      throw new AgentUnavailableException("connection refused: " + address + ":9443", null);
    }
    LustreFilesystem fs = client.resources(LustreFilesystem.class).withName(filesystem).get();
    GetHealthResponse.Builder health = GetHealthResponse.newBuilder().setHealthCheck("healthy\n").setLustreVersion("2.16.1");
    fs.getStatus().servers().stream().filter(s -> s.name().equals(server)).forEach(s -> health.addAllNids(s.nids()));
    fs.getStatus().targets().stream().filter(t -> t.server().equals(server)).forEach(t -> health.addTargets(Target.newBuilder()
        .setName(t.name()).setIndex(t.index()).setUp(true)
        .setKind(Target.Kind.valueOf(t.kind()))
        .setRecoveryStatus(recovering.contains(t.name()) ? "RECOVERING" : "COMPLETE")));
    return health.build();
  }

  @Override
  public GetTargetUsageResponse targetUsage(String filesystem, String mdsAddress, String fsName) throws AgentUnavailableException {
    if (!kubevirt.running().containsValue(mdsAddress)) {
      throw new AgentUnavailableException("connection refused: " + mdsAddress + ":9443", null);
    }
    LustreFilesystem fs = client.resources(LustreFilesystem.class).withName(filesystem).get();
    long ostBytes = Sizes.parse(fs.getSpec().ostSize());
    GetTargetUsageResponse.Builder usage = GetTargetUsageResponse.newBuilder();
    fs.getStatus().targets().stream().filter(t -> TargetKinds.OST.equals(t.kind()))
        .filter(t -> kubevirt.running().containsKey(t.server()))
        .forEach(t -> usage.addTargets(TargetUsage.newBuilder().setUuid(t.name() + "_UUID").setKind(Target.Kind.OST)
            .setIndex(t.index()).setCapacityBytes(ostBytes).setUsedBytes(1 << 20).setAvailableBytes(ostBytes - (1 << 20))));
    return usage.build();
  }

  @Override
  public void ensureVolumeDirectory(String filesystem, String mdsAddress, dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest request)
      throws AgentUnavailableException {
    throw new AgentUnavailableException("volume directories are not part of the reconciler's tests", null);
  }

  @Override
  public void setProjectQuota(String filesystem, String mdsAddress, dev.lustrecsi.agent.v1.SetProjectQuotaRequest request)
      throws AgentUnavailableException {
    throw new AgentUnavailableException("quotas are not part of the reconciler's tests", null);
  }

  @Override
  public void deleteVolumeDirectory(String filesystem, String mdsAddress, dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest request)
      throws AgentUnavailableException {
    throw new AgentUnavailableException("volume directories are not part of the reconciler's tests", null);
  }

  @Override
  public dev.lustrecsi.agent.v1.GetProjectUsageResponse projectUsage(String filesystem, String mdsAddress,
      dev.lustrecsi.agent.v1.GetProjectUsageRequest request) throws AgentUnavailableException {
    throw new AgentUnavailableException("project usage is not part of the reconciler's tests", null);
  }

  @Override
  public void freezeBarrier(String filesystem, String mgsAddress, String fsName, int timeoutSeconds) throws AgentUnavailableException {
    throw new AgentUnavailableException("snapshots are not part of the reconciler's tests", null);
  }

  @Override
  public String thawBarrier(String filesystem, String mgsAddress, String fsName) throws AgentUnavailableException {
    throw new AgentUnavailableException("snapshots are not part of the reconciler's tests", null);
  }

  @Override
  public java.util.List<dev.lustrecsi.agent.v1.TargetSnapshot> createTargetSnapshots(String filesystem, String address, String fsName,
      String name, String snapshotFsName, java.util.List<String> targets) throws AgentUnavailableException {
    throw new AgentUnavailableException("snapshots are not part of the reconciler's tests", null);
  }

  @Override
  public java.util.List<dev.lustrecsi.agent.v1.TargetSnapshot> destroyTargetSnapshots(String filesystem, String address, String fsName,
      String name) throws AgentUnavailableException {
    throw new AgentUnavailableException("snapshots are not part of the reconciler's tests", null);
  }

  @Override
  public java.util.List<dev.lustrecsi.agent.v1.TargetSnapshot> listTargetSnapshots(String filesystem, String address, String fsName)
      throws AgentUnavailableException {
    throw new AgentUnavailableException("snapshots are not part of the reconciler's tests", null);
  }

  @Override
  public java.util.List<dev.lustrecsi.agent.v1.TargetSnapshot> mountTargetSnapshots(String filesystem, String address, String fsName,
      String name) throws AgentUnavailableException {
    throw new AgentUnavailableException("restores run on real agents in the sandbox's tests", null);
  }

  @Override
  public void unmountTargetSnapshots(String filesystem, String address, String fsName, String name) throws AgentUnavailableException {
    throw new AgentUnavailableException("restores run on real agents in the sandbox's tests", null);
  }

  @Override
  public dev.lustrecsi.agent.v1.CopySnapshotDirectoryResponse copySnapshotDirectory(String filesystem, String mdsAddress,
      dev.lustrecsi.agent.v1.CopySnapshotDirectoryRequest request) throws AgentUnavailableException {
    throw new AgentUnavailableException("restores run on real agents in the sandbox's tests", null);
  }

  @Override
  public void stopOstCreation(String filesystem, String mdsAddress, String fsName, int ostIndex) throws AgentUnavailableException {
    throw new AgentUnavailableException("drains run on real agents in the sandbox's tests", null);
  }

  @Override
  public dev.lustrecsi.agent.v1.MigrateOstFilesResponse migrateOstFiles(String filesystem, String mdsAddress,
      dev.lustrecsi.agent.v1.MigrateOstFilesRequest request) throws AgentUnavailableException {
    throw new AgentUnavailableException("drains run on real agents in the sandbox's tests", null);
  }

  @Override
  public boolean removeOst(String filesystem, String mgsAddress, String fsName, int ostIndex) throws AgentUnavailableException {
    throw new AgentUnavailableException("drains run on real agents in the sandbox's tests", null);
  }

  @Override
  public boolean ostRemoved(String filesystem, String mgsAddress, String fsName, int ostIndex) throws AgentUnavailableException {
    throw new AgentUnavailableException("drains run on real agents in the sandbox's tests", null);
  }

  @Override
  public void releaseOst(String filesystem, String ossAddress, String fsName, int ostIndex) throws AgentUnavailableException {
    throw new AgentUnavailableException("drains run on real agents in the sandbox's tests", null);
  }

  @Override
  public dev.lustrecsi.agent.v1.CheckServersResponse checkServers(String filesystem, String address, String fsName)
      throws AgentUnavailableException {
    throw new AgentUnavailableException("external filesystems are tested over real agents in the sandbox", null);
  }
}
