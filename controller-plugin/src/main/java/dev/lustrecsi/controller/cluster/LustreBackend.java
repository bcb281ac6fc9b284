package dev.lustrecsi.controller.cluster;

import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.NewDirectoryAccess;
import dev.lustrecsi.agent.v1.GetProjectUsageRequest;
import dev.lustrecsi.agent.v1.GetProjectUsageResponse;
import dev.lustrecsi.agent.v1.SetProjectQuotaRequest;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.DirectoryAccess;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.filesystem.ExternalSpec;
import dev.lustrecsi.controller.filesystem.FilesystemPlanner;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import dev.lustrecsi.controller.lustre.DirectoryUsage;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.lustre.FilesystemState;
import dev.lustrecsi.controller.parameters.FilesystemParameters;
import dev.lustrecsi.controller.parameters.Striping;
import dev.lustrecsi.controller.reconciler.AddressesElsewhere;
import dev.lustrecsi.controller.reconciler.FilesystemReconciler;
import dev.lustrecsi.controller.reconciler.FilesystemStatusCalculator;
import dev.lustrecsi.controller.reconciler.ServerAgents;
import dev.lustrecsi.controller.reconciler.ServerAgents.AgentUnavailableException;
import dev.lustrecsi.controller.reconciler.VmiView;
import dev.lustrecsi.controller.servers.KubeVirt;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The controller's Lustre servers: each filesystem is a LustreFilesystem resource whose
 * reconciler runs its VMs, and volume directories are made by the agent on its MDS VM. This is
 * the one backend there is; the sandbox runs it too, on a simulated API server and simulated
 * Lustre commands beneath real agents.
 *
 * <p>Reads come from an informer's cache of the namespace's LustreFilesystems, so a CreateVolume
 * on a filesystem that is up makes no API call here. Growth is a raise of {@code spec.ostCount},
 * never a count of objects, so a retried or concurrent CreateVolume asks for the same OSTs and
 * never for more. The MDS's pod address is remembered per filesystem and looked up again when
 * its agent stops answering there (a restarted VM comes back at a new pod address). A watch of
 * the server instances tells, with no API call, when the MDS's instance is being deleted: calls
 * are then UNAVAILABLE without reaching its agent.
 */
public final class LustreBackend implements AutoCloseable {
  /** Project ids below this are left to admins. */
  public static final int FIRST_PROJECT_ID = 1000;
  private static final int MAX_CLAIM_ATTEMPTS = 20;

  private final KubernetesClient client;
  private final String namespace;
  private final Reconciliations reconciliations;
  private final ServerAgents agents;
  private final ServerDefaults defaults;
  private final SharedIndexInformer<LustreFilesystem> filesystems;
  private final ServerInstances instances;
  private final ConcurrentMap<String, Mds> mdsByFilesystem = new ConcurrentHashMap<>();

  private LustreBackend(KubernetesClient client, String namespace, Reconciliations reconciliations, ServerAgents agents,
      ServerDefaults defaults) {
    this.client = client;
    this.namespace = namespace;
    this.reconciliations = reconciliations;
    this.agents = agents;
    this.defaults = defaults;
    this.filesystems = client.resources(LustreFilesystem.class).inNamespace(namespace).runnableInformer(0);
    this.instances = new ServerInstances(client, namespace);
  }

  /** Starts the backend; returns once its cache holds every LustreFilesystem of the namespace. */
  public static LustreBackend start(KubernetesClient client, String namespace, Reconciliations reconciliations, ServerAgents agents,
      ServerDefaults defaults) {
    LustreBackend backend = new LustreBackend(client, namespace, reconciliations, agents, defaults);
    try {
      backend.filesystems.start().toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      backend.close();
      throw new IllegalStateException("interrupted while listing LustreFilesystems", e);
    } catch (ExecutionException | TimeoutException e) {
      backend.close();
      throw new IllegalStateException("cannot list the LustreFilesystems of namespace " + namespace, e);
    }
    return backend;
  }

  @Override
  public void close() {
    filesystems.stop();
    instances.close();
  }

  /**
   * Makes sure the filesystem exists: creates its LustreFilesystem from the StorageClass (and the
   * controller's defaults) the first time, else checks that the StorageClass agrees with it on
   * everything it says. A filesystem that is not ready yet gets a reconcile pass now. A spec that
   * cannot be carried out is FAILED_PRECONDITION naming the field, and nothing is committed.
   */
  public FilesystemState ensureFilesystem(FilesystemSpec spec) {
    String name = ResourceNames.of(spec.fsName()).filesystem();
    LustreFilesystem filesystem = cached(name);
    if (filesystem == null) {
      filesystem = get(name);
    }
    if (filesystem == null) {
      LustreFilesystem created = new LustreFilesystem();
      created.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace)
          .addToLabels("app.kubernetes.io/managed-by", "lustre-csi-controller").build());
      created.setSpec(FilesystemSpecs.create(spec, defaults));
      try {
        filesystem = client.resources(LustreFilesystem.class).inNamespace(namespace).resource(created).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        filesystem = get(name);  // another caller made it first: it is compared below like any existing one
      }
    }
    requireSameFsName(filesystem, spec.fsName());
    if (!filesystem.getSpec().runBySite()) {
      // The site's filesystem has no server settings for a StorageClass to agree with; the
      // provisioner refuses a StorageClass that tries to give it some.
      FilesystemSpecs.requireCompatible(filesystem.getSpec(), spec);
    }
    if (!isReady(filesystem)) {
      filesystem = reconciled(name);
    }
    return usable(state(filesystem));
  }

  /** The filesystem's state as last seen (read from the API server when not cached yet), or empty if it does not exist. */
  public Optional<FilesystemState> describe(String fsName) {
    String name = ResourceNames.of(fsName).filesystem();
    LustreFilesystem filesystem = cached(name);
    return Optional.ofNullable(filesystem != null ? filesystem : get(name)).map(LustreBackend::state);
  }

  /** Every filesystem, as last seen. */
  public List<FilesystemState> all() {
    return filesystems.getStore().list().stream().map(LustreBackend::state).toList();
  }

  /** Every LustreFilesystem resource, spec and status, as the cache last saw it (metrics read them). */
  public List<LustreFilesystem> resources() {
    return filesystems.getStore().list();
  }

  /**
   * Raises the filesystem's {@code spec.ostCount} to at least {@code ostCount} and runs a reconcile
   * pass. Refused without touching the spec when the growth limit or the plan (addresses left in
   * the storage network) does not allow it: FAILED_PRECONDITION naming the field.
   */
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
      LustreFilesystemSpec grown = spec.withOstCount(ostCount);
      try {
        FilesystemPlanner.plan(grown, statusOf(filesystem), AddressesElsewhere.of(client, namespace, name));
      } catch (FilesystemPlanner.PlanException e) {
        throw CsiException.failedPrecondition(e.getMessage() + ": filesystem " + fsName + " cannot grow to " + ostCount + " OSTs");
      }
      filesystem.setSpec(grown);
      try {
        // resourceVersion is kept: a concurrent raise makes this 409, and the loop reads it back.
        client.resources(LustreFilesystem.class).inNamespace(namespace).resource(filesystem).update();
        break;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 5) {
          throw e;
        }
      }
    }
    return usable(state(reconciled(name)));
  }

  /** A reconcile pass over the filesystem now, and its state afterwards (an external filesystem not ready yet looks again). */
  public FilesystemState refresh(String fsName) {
    return usable(state(reconciled(ResourceNames.of(fsName).filesystem())));
  }

  /**
   * Claims {@code count} project ids no volume of the filesystem has had, and returns the first:
   * the status's mark moves past them (a write conditional on resourceVersion) before any of them
   * is used. {@code atLeast} is where this controller's own numbering stands.
   */
  public ProjectIdBlock claimProjectIds(String fsName, int atLeast, int count) {
    for (int attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      LustreFilesystem filesystem = existing(fsName);
      LustreFilesystemStatus status = statusOf(filesystem);
      // The site's filesystem: only ids of its range, which the site keeps clear of its own quotas.
      ExternalSpec site = filesystem.getSpec().runBySite() ? external(filesystem) : null;
      int first = site == null ? FIRST_PROJECT_ID : site.firstProjectId();
      long last = site == null ? Integer.MAX_VALUE - 1L : site.lastProjectId();
      int mark = status.nextProjectId() == null ? first : status.nextProjectId();
      int start = Math.max(Math.max(mark, atLeast), first);
      if (start > last) {
        throw CsiException.resourceExhausted("filesystem " + fsName + " has given out every project id of its range " + first + ".." + last
            + " (spec.external.projectIds); widen the range to make more volumes");
      }
      int end = (int) Math.min(last + 1, (long) start + count);
      filesystem.setStatus(status.withNextProjectId(end));
      try {
        client.resources(LustreFilesystem.class).inNamespace(namespace).resource(filesystem).updateStatus();
        return new ProjectIdBlock(start, end);
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        // A reconcile pass or another controller wrote the status first: read it again and claim
        // anew, after a short random pause so that claimants racing each other fall out of step.
        pause(attempt);
      }
    }
    throw CsiException.aborted("could not claim project ids for filesystem " + fsName + ": its status kept changing under the claim");
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 5L * attempt + 2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CsiException.aborted("interrupted while claiming project ids");
    }
  }

  /**
   * Makes sure the volume directory exists with this layout, the project id set (inherited by
   * everything created inside), the owner and mode of {@code access} if given, and a hard block
   * quota of {@code quotaBytes} on the project.
   */
  public void ensureVolumeDirectory(VolumeId volume, Striping striping, int projectId, long quotaBytes, Optional<DirectoryAccess> access) {
    EnsureVolumeDirectoryRequest.Builder request = EnsureVolumeDirectoryRequest.newBuilder().setFsName(volume.fsName())
        .setDirectory(volume.directory()).setStripeCount(striping.count()).setStripeSizeBytes(striping.sizeBytes())
        .setPool(striping.pool()).setProjectId(projectId).setQuotaBytes(quotaBytes);
    access.ifPresent(a -> request.setAccess(NewDirectoryAccess.newBuilder().setMode(a.mode()).setUid((int) a.uid()).setGid((int) a.gid())));
    runOnMds(volume.fsName(), "create the directory of " + volume, (mds) -> agents.ensureVolumeDirectory(mds.filesystem(), mds.address(),
        request.build()));
  }

  /** Sets the project's hard block quota. */
  public void setQuota(VolumeId volume, int projectId, long quotaBytes) {
    runOnMds(volume.fsName(), "set the quota of " + volume, (mds) -> agents.setProjectQuota(mds.filesystem(), mds.address(),
        SetProjectQuotaRequest.newBuilder().setFsName(volume.fsName()).setProjectId(projectId).setQuotaBytes(quotaBytes).build()));
  }

  /** Removes the directory with everything in it, and the project's quota. Absent is fine. */
  public void deleteVolumeDirectory(VolumeId volume, int projectId) {
    if (cached(ResourceNames.of(volume.fsName()).filesystem()) == null && get(ResourceNames.of(volume.fsName()).filesystem()) == null) {
      return;  // the whole filesystem is gone: nothing of the volume is left to delete
    }
    runOnMds(volume.fsName(), "delete the directory of " + volume, (mds) -> agents.deleteVolumeDirectory(mds.filesystem(), mds.address(),
        DeleteVolumeDirectoryRequest.newBuilder().setFsName(volume.fsName()).setDirectory(volume.directory()).setProjectId(projectId).build()));
  }

  /** The directory's usage as its project quota sees it. */
  public DirectoryUsage usage(VolumeId volume, int projectId) {
    GetProjectUsageResponse usage = onMds(volume.fsName(), "read the usage of " + volume, (mds) -> agents.projectUsage(mds.filesystem(),
        mds.address(), GetProjectUsageRequest.newBuilder().setFsName(volume.fsName()).setProjectId(projectId).build()));
    return new DirectoryUsage(usage.getUsedBytes(), usage.getLimitBytes(), usage.getFiles());
  }

  /** Whether the API server answers (Probe). */
  public boolean reachable() {
    try {
      client.resources(LustreFilesystem.class).inNamespace(namespace).withName("probe-" + namespace).get();
      return true;
    } catch (KubernetesClientException e) {
      return false;
    }
  }

  /** The filesystem as CreateVolume and growth see it, from its resource: its limit is the one they enforce. */
  public static FilesystemState state(LustreFilesystem filesystem) {
    LustreFilesystemSpec spec = filesystem.getSpec();
    LustreFilesystemStatus status = statusOf(filesystem);
    if (spec.runBySite()) {
      return externalState(filesystem, spec, status);
    }
    long ostSize = Sizes.parse(spec.ostSize());
    // Draining OSTs back no volume: what they hold is on its way to the others.
    List<FilesystemState.Ost> osts = status.targets().stream().filter(t -> TargetKinds.OST.equals(t.kind()) && t.backsVolumes())
        .map(t -> new FilesystemState.Ost(t.index(), t.capacityBytes() == null ? ostSize : t.capacityBytes(),
            t.usedBytes() == null ? 0 : t.usedBytes()))
        .toList();
    List<String> mgsNids = status.servers().stream().filter(s -> TargetKinds.MGS.equals(s.role())).findFirst()
        .map(ServerStatus::nids).orElse(List.of());
    Optional<String> invalid = FilesystemReconciler.FAILED.equals(status.phase())
        ? status.conditions().stream().filter(c -> FilesystemReconciler.INVALID_SPEC.equals(c.reason()))
            .map(LustreFilesystemStatus.FilesystemCondition::message).findFirst()
        : Optional.empty();
    return new FilesystemState(new FilesystemSpec(spec.fsName(), ostSize, spec.maxOsts() == null ? Integer.MAX_VALUE : spec.maxOsts(),
        spec.overcommit() == null ? 1.0 : spec.overcommit(), FilesystemParameters.NONE), osts, isReady(filesystem), mgsNids, invalid,
        notReady(filesystem));
  }

  /**
   * The site's filesystem: OSTs as its agent last saw them, never grown (one "OST" of all its
   * capacity backs everything the commitment share allows), NIDs from the spec.
   */
  private static FilesystemState externalState(LustreFilesystem filesystem, LustreFilesystemSpec spec, LustreFilesystemStatus status) {
    List<FilesystemState.Ost> osts = status.targets().stream().filter(t -> TargetKinds.OST.equals(t.kind()))
        .map(t -> new FilesystemState.Ost(t.index(), t.capacityBytes() == null ? 0 : t.capacityBytes(), t.usedBytes() == null ? 0 : t.usedBytes()))
        .toList();
    long capacity = osts.stream().mapToLong(FilesystemState.Ost::capacityBytes).sum();
    Optional<String> invalid = Optional.empty();
    Optional<ExternalSpec> site = Optional.empty();
    try {
      site = Optional.of(ExternalSpec.of(spec.external()));
    } catch (ExternalSpec.InvalidExternalSpec e) {
      invalid = Optional.of(e.getMessage());
    }
    double share = site.map(ExternalSpec::overcommit).orElse(1.0);
    List<String> nids = site.map(s -> java.util.stream.Stream.of(s.mgsNids(), s.mgsNidsO2ib()).filter(n -> !n.isEmpty()).toList())
        .orElse(List.of());
    return new FilesystemState(new FilesystemSpec(spec.fsName(), capacity, 1, share, FilesystemParameters.NONE), osts, isReady(filesystem),
        nids, invalid, notReady(filesystem), site.isPresent() ? site : Optional.of(UNUSABLE));
  }

  /** Stands for an external spec that does not resolve: no NIDs, no ids; usable() refuses the filesystem before anything reads it. */
  private static final ExternalSpec UNUSABLE = new ExternalSpec("", "", "", 0, "", 1.0, 1, 0);

  private static ExternalSpec external(LustreFilesystem filesystem) {
    try {
      return ExternalSpec.of(filesystem.getSpec().external());
    } catch (ExternalSpec.InvalidExternalSpec e) {
      throw CsiException.failedPrecondition(e.getMessage() + " (LustreFilesystem " + filesystem.getMetadata().getName() + ")");
    }
  }

  /** A filesystem whose spec cannot be carried out takes no volumes: FAILED_PRECONDITION with the reconciler's reason. */
  private static FilesystemState usable(FilesystemState state) {
    if (state.invalidSpec().isPresent()) {
      throw CsiException.failedPrecondition(state.invalidSpec().get() + " (LustreFilesystem of " + state.spec().fsName()
          + " is " + FilesystemReconciler.FAILED + ", reason " + FilesystemReconciler.INVALID_SPEC + ")");
    }
    return state;
  }

  /**
   * Ready: the last observation said so and every target planned since is up. A plan is written
   * before its objects are made and keeps the phase of the pass before it, so "Ready" beside a
   * target still Pending means OSTs were planned and not seen up yet (a controller that died
   * between the two writes leaves exactly that).
   */
  private static boolean isReady(LustreFilesystem filesystem) {
    LustreFilesystemStatus status = statusOf(filesystem);
    return FilesystemStatusCalculator.READY.equals(status.phase())
        && status.targets().stream().filter(LustreFilesystemStatus.TargetStatus::inService)
            .allMatch(t -> FilesystemStatusCalculator.UP.equals(t.state()));
  }

  /** Why a filesystem is not ready, in its status's words (phase and the Ready condition), so a caller told to retry learns why. */
  private static Optional<String> notReady(LustreFilesystem filesystem) {
    if (isReady(filesystem)) {
      return Optional.empty();
    }
    LustreFilesystemStatus status = statusOf(filesystem);
    String why = status.conditions().stream().filter(c -> c.type().equals("Ready")).map(LustreFilesystemStatus.FilesystemCondition::message)
        .findFirst().orElse("not observed yet");
    return Optional.of((status.phase() == null ? "Pending" : status.phase()) + ": " + why);
  }

  private static LustreFilesystemStatus statusOf(LustreFilesystem filesystem) {
    return filesystem.getStatus() == null ? LustreFilesystemStatus.empty() : filesystem.getStatus();
  }

  /** Where the filesystem's MDS agent was found: the LustreFilesystem's name, the server VM's name and its pod address. */
  private record Mds(String filesystem, String server, String address) {}

  /**
   * Project ids claimed for one controller's use.
   *
   * @param first the first id of the block
   * @param end one past its last id
   */
  public record ProjectIdBlock(int first, int end) {}

  private interface AgentCall<T> {
    T on(Mds mds) throws AgentUnavailableException;
  }

  private interface AgentAction {
    void on(Mds mds) throws AgentUnavailableException;
  }

  private void runOnMds(String fsName, String what, AgentAction action) {
    onMds(fsName, what, (AgentCall<Void>) mds -> {
      action.on(mds);
      return null;
    });
  }

  /**
   * Runs a call on the filesystem's MDS agent. When the remembered address does not answer, the
   * address is looked up again once (the VM may have restarted elsewhere); when that fails too,
   * the call is UNAVAILABLE. Any other answer of the agent's, a refusal with its code among them,
   * comes back as it is.
   *
   * <p>An MDS whose instance is being deleted is never called: its agent's answers are those of a
   * guest shutting down, so the caller is told to retry (UNAVAILABLE), and likewise when the
   * deletion began while the call was on its way and the agent answered with an error.
   */
  private <T> T onMds(String fsName, String what, AgentCall<T> call) {
    Mds remembered = mdsByFilesystem.get(fsName);
    if (remembered != null && instances.shuttingDown(remembered.server())) {
      mdsByFilesystem.remove(fsName, remembered);
      throw ServerStopping.unavailable(fsName, remembered.server());
    }
    if (remembered != null) {
      try {
        return call.on(remembered);
      } catch (AgentUnavailableException e) {
        mdsByFilesystem.remove(fsName, remembered);
      } catch (CsiException e) {
        throw stoppingOr(fsName, remembered, e);
      }
    }
    Mds mds = lookUpMds(fsName);
    try {
      T result = call.on(mds);
      mdsByFilesystem.put(fsName, mds);
      return result;
    } catch (AgentUnavailableException e) {
      throw CsiException.unavailable("could not " + what + ": " + e.getMessage() + "; retry later");
    } catch (CsiException e) {
      throw stoppingOr(fsName, mds, e);
    }
  }

  /**
   * The agent's error, unless its instance is being deleted by now: then that is why, and worth a
   * retry. Read from the API server, not the watch, which may not have caught up yet.
   */
  private CsiException stoppingOr(String fsName, Mds mds, CsiException error) {
    if (!mds.server().isEmpty() && instance(mds.server()).shuttingDown()) {
      mdsByFilesystem.remove(fsName, mds);
      return ServerStopping.unavailable(fsName, mds.server());
    }
    return error;
  }

  private Mds lookUpMds(String fsName) {
    LustreFilesystem filesystem = existing(fsName);
    if (filesystem.getSpec().runBySite()) {
      // The site's management host: one fixed address, no VM to look up.
      return new Mds(filesystem.getMetadata().getName(), "", external(filesystem).agentAddress());
    }
    ServerStatus server = statusOf(filesystem).servers().stream().filter(s -> TargetKinds.MDS.equals(s.role())).findFirst()
        .orElseThrow(() -> CsiException.unavailable("filesystem " + fsName + " has no MDS yet; retry later"));
    instances.watch();
    VmiView vmi = instance(server.name());
    if (vmi.shuttingDown()) {
      throw ServerStopping.unavailable(fsName, server.name());
    }
    if (!"Running".equals(vmi.phase()) || vmi.podAddress().isEmpty()) {
      throw CsiException.unavailable("the MDS of filesystem " + fsName + " (" + server.name() + ") is not running; retry later");
    }
    return new Mds(filesystem.getMetadata().getName(), server.name(), vmi.podAddress());
  }

  private VmiView instance(String server) {
    return VmiView.of(client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(namespace).withName(server).get());
  }

  private LustreFilesystem existing(String fsName) {
    LustreFilesystem filesystem = get(ResourceNames.of(fsName).filesystem());
    if (filesystem == null) {
      throw CsiException.failedPrecondition("filesystem " + fsName + " has no LustreFilesystem resource in " + namespace);
    }
    return filesystem;
  }

  /** A reconcile pass now; one that kept losing write races to other writers of the status is ABORTED, for the CO to retry. */
  private LustreFilesystem reconciled(String name) {
    try {
      return reconciliations.reconcile(name).orElseThrow(() -> CsiException.unavailable("LustreFilesystem " + name + " disappeared; retry later"));
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw CsiException.aborted("LustreFilesystem " + name + " kept changing during a reconcile pass; retry");
      }
      throw e;
    }
  }

  private LustreFilesystem cached(String name) {
    return filesystems.getStore().getByKey(namespace + "/" + name);
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
