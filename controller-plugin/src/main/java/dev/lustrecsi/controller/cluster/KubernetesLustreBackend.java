package dev.lustrecsi.controller.cluster;

import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.GetProjectUsageRequest;
import dev.lustrecsi.agent.v1.GetProjectUsageResponse;
import dev.lustrecsi.agent.v1.SetProjectQuotaRequest;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import dev.lustrecsi.controller.lustre.DirectoryUsage;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.lustre.FilesystemState;
import dev.lustrecsi.controller.lustre.LustreBackend;
import dev.lustrecsi.controller.parameters.ServerParameters;
import dev.lustrecsi.controller.parameters.Striping;
import dev.lustrecsi.controller.reconciler.FilesystemStatusCalculator;
import dev.lustrecsi.controller.reconciler.ServerAgents;
import dev.lustrecsi.controller.reconciler.ServerAgents.AgentUnavailableException;
import dev.lustrecsi.controller.reconciler.VmiView;
import dev.lustrecsi.controller.servers.KubeVirt;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Optional;

/**
 * The controller's Lustre servers on a cluster: each filesystem is a LustreFilesystem resource
 * whose reconciler runs its VMs; volume directories are made by the agent on its MDS VM.
 * Growth is a raise of {@code spec.ostCount}, never a count of objects, so a retried or
 * concurrent CreateVolume asks for the same OSTs and never for more.
 */
public final class KubernetesLustreBackend implements LustreBackend {
  private final KubernetesClient client;
  private final String namespace;
  private final Reconciliations reconciliations;
  private final ServerAgents agents;
  private final ServerDefaults defaults;

  public KubernetesLustreBackend(KubernetesClient client, String namespace, Reconciliations reconciliations, ServerAgents agents,
      ServerDefaults defaults) {
    this.client = client;
    this.namespace = namespace;
    this.reconciliations = reconciliations;
    this.agents = agents;
    this.defaults = defaults;
  }

  @Override
  public FilesystemState ensureFilesystem(FilesystemSpec spec) {
    String name = ResourceNames.of(spec.fsName()).filesystem();
    LustreFilesystem existing = get(name);
    if (existing == null) {
      LustreFilesystem created = new LustreFilesystem();
      created.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace)
          .addToLabels("app.kubernetes.io/managed-by", "lustre-csi-controller").build());
      created.setSpec(FilesystemSpecs.create(spec, defaults));
      try {
        client.resources(LustreFilesystem.class).inNamespace(namespace).resource(created).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        FilesystemSpecs.requireCompatible(get(name).getSpec(), spec);  // another caller made it first
      }
    } else {
      requireSameFsName(existing, spec.fsName());
      FilesystemSpecs.requireCompatible(existing.getSpec(), spec);
    }
    return state(reconciled(name));
  }

  @Override
  public Optional<FilesystemState> describe(String fsName) {
    return Optional.ofNullable(get(ResourceNames.of(fsName).filesystem())).map(KubernetesLustreBackend::state);
  }

  @Override
  public FilesystemState ensureOstCount(String fsName, int ostCount) {
    String name = ResourceNames.of(fsName).filesystem();
    for (int attempt = 1; ; attempt++) {
      LustreFilesystem filesystem = existing(fsName);
      LustreFilesystemSpec spec = filesystem.getSpec();
      int current = spec.ostCount() == null ? 1 : spec.ostCount();
      if (current >= ostCount) {
        break;
      }
      if (spec.maxOsts() != null && ostCount > spec.maxOsts()) {
        throw CsiException.resourceExhausted("filesystem " + fsName + " would need " + ostCount + " OSTs; its limit is " + spec.maxOsts());
      }
      filesystem.setSpec(spec.withOstCount(ostCount));
      try {
        // resourceVersion is kept: a concurrent raise makes this 409, and the loop reads it back.
        client.resources(LustreFilesystem.class).inNamespace(namespace).resource(filesystem).update();
        break;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
    return state(reconciled(name));
  }

  @Override
  public void ensureVolumeDirectory(VolumeId volume, Striping striping, int projectId, long quotaBytes) {
    Mds mds = mds(volume.fsName());
    call(mds, "create the directory of " + volume, () -> agents.ensureVolumeDirectory(mds.filesystem(), mds.address(),
        EnsureVolumeDirectoryRequest.newBuilder().setFsName(volume.fsName()).setDirectory(directory(volume))
            .setStripeCount(striping.count()).setStripeSizeBytes(striping.sizeBytes()).setPool(striping.pool())
            .setProjectId(projectId).setQuotaBytes(quotaBytes).build()));
  }

  @Override
  public void setQuota(VolumeId volume, int projectId, long quotaBytes) {
    Mds mds = mds(volume.fsName());
    call(mds, "set the quota of " + volume, () -> agents.setProjectQuota(mds.filesystem(), mds.address(),
        SetProjectQuotaRequest.newBuilder().setFsName(volume.fsName()).setProjectId(projectId).setQuotaBytes(quotaBytes).build()));
  }

  @Override
  public void deleteVolumeDirectory(VolumeId volume, int projectId) {
    if (get(ResourceNames.of(volume.fsName()).filesystem()) == null) {
      return;  // the whole filesystem is gone: nothing of the volume is left to delete
    }
    Mds mds = mds(volume.fsName());
    call(mds, "delete the directory of " + volume, () -> agents.deleteVolumeDirectory(mds.filesystem(), mds.address(),
        DeleteVolumeDirectoryRequest.newBuilder().setFsName(volume.fsName()).setDirectory(directory(volume)).setProjectId(projectId).build()));
  }

  @Override
  public Optional<DirectoryUsage> usage(VolumeId volume, int projectId) {
    Mds mds = mds(volume.fsName());
    GetProjectUsageResponse[] usage = new GetProjectUsageResponse[1];
    call(mds, "read the usage of " + volume, () -> usage[0] = agents.projectUsage(mds.filesystem(), mds.address(),
        GetProjectUsageRequest.newBuilder().setFsName(volume.fsName()).setProjectId(projectId).build()));
    return Optional.of(new DirectoryUsage(usage[0].getUsedBytes(), usage[0].getLimitBytes(), usage[0].getFiles()));
  }

  @Override
  public boolean reachable() {
    try {
      client.resources(LustreFilesystem.class).inNamespace(namespace).withName("probe-" + namespace).get();
      return true;
    } catch (KubernetesClientException e) {
      return false;
    }
  }

  /**
   * The directory of a volume relative to the filesystem root: the volume id's directory, at the
   * root, where the node plugin binds it from (the same place in the sandbox and on a cluster).
   */
  public static String directory(VolumeId volume) {
    return volume.directory();
  }

  static FilesystemState state(LustreFilesystem filesystem) {
    LustreFilesystemSpec spec = filesystem.getSpec();
    LustreFilesystemStatus status = filesystem.getStatus() == null ? LustreFilesystemStatus.empty() : filesystem.getStatus();
    long ostSize = Sizes.parse(spec.ostSize());
    List<FilesystemState.Ost> osts = status.targets().stream().filter(t -> TargetKinds.OST.equals(t.kind()))
        .map(t -> new FilesystemState.Ost(t.index(), t.capacityBytes() == null ? ostSize : t.capacityBytes(),
            t.usedBytes() == null ? 0 : t.usedBytes()))
        .toList();
    List<String> mgsNids = status.servers().stream().filter(s -> TargetKinds.MGS.equals(s.role())).findFirst()
        .map(ServerStatus::nids).orElse(List.of());
    boolean ready = FilesystemStatusCalculator.READY.equals(status.phase());
    return new FilesystemState(new FilesystemSpec(spec.fsName(), ostSize, spec.maxOsts() == null ? Integer.MAX_VALUE : spec.maxOsts(),
        spec.overcommit() == null ? 1.0 : spec.overcommit(), ServerParameters.NONE), osts, ready, mgsNids);
  }

  private record Mds(String filesystem, String address) {}

  private Mds mds(String fsName) {
    LustreFilesystem filesystem = existing(fsName);
    LustreFilesystemStatus status = filesystem.getStatus() == null ? LustreFilesystemStatus.empty() : filesystem.getStatus();
    ServerStatus server = status.servers().stream().filter(s -> TargetKinds.MDS.equals(s.role())).findFirst()
        .orElseThrow(() -> CsiException.unavailable("filesystem " + fsName + " has no MDS yet; retry later"));
    VmiView vmi = VmiView.of(client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(namespace)
        .withName(server.name()).get());
    if (!"Running".equals(vmi.phase()) || vmi.podAddress().isEmpty()) {
      throw CsiException.unavailable("the MDS of filesystem " + fsName + " (" + server.name() + ") is not running; retry later");
    }
    return new Mds(filesystem.getMetadata().getName(), vmi.podAddress());
  }

  private interface AgentCall {
    void run() throws AgentUnavailableException;
  }

  private static void call(Mds mds, String what, AgentCall call) {
    try {
      call.run();
    } catch (AgentUnavailableException e) {
      throw CsiException.unavailable("could not " + what + ": " + e.getMessage() + "; retry later");
    }
  }

  private LustreFilesystem existing(String fsName) {
    LustreFilesystem filesystem = get(ResourceNames.of(fsName).filesystem());
    if (filesystem == null) {
      throw CsiException.failedPrecondition("filesystem " + fsName + " has no LustreFilesystem resource in " + namespace);
    }
    return filesystem;
  }

  private LustreFilesystem reconciled(String name) {
    return reconciliations.reconcile(name).orElseThrow(() -> CsiException.unavailable("LustreFilesystem " + name + " disappeared; retry later"));
  }

  private LustreFilesystem get(String name) {
    return client.resources(LustreFilesystem.class).inNamespace(namespace).withName(name).get();
  }

  private static void requireSameFsName(LustreFilesystem existing, String fsName) {
    if (!fsName.equals(existing.getSpec().fsName())) {
      throw CsiException.failedPrecondition("parameters.fsName: LustreFilesystem " + existing.getMetadata().getName()
          + " holds fsName " + existing.getSpec().fsName() + ", not " + fsName);
    }
  }
}
