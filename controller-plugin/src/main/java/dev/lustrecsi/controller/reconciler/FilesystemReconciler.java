package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.CheckServersResponse;
import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.controller.agent.AgentCredentials;
import dev.lustrecsi.controller.filesystem.ExternalSpec;
import dev.lustrecsi.controller.filesystem.FilesystemPlanner;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import dev.lustrecsi.controller.servers.InstanceDeletion;
import dev.lustrecsi.controller.servers.KubeVirt;
import dev.lustrecsi.controller.servers.ServerVirtualMachines;
import dev.lustrecsi.controller.servers.TargetDisks;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * Brings one LustreFilesystem's objects in line with its spec, and its status in line with what
 * runs. Each pass: plan (and write the plan to the status before creating anything), make the
 * target PVCs, cloud-init Secrets and VMs the plan names, observe VMs, VMIs and agents, and write
 * the observed status, with an Event on every phase change. Every step is idempotent; a pass
 * interrupted anywhere is finished by the next one, and nothing is ever made twice because every
 * name comes from the status.
 */
public final class FilesystemReconciler {
  /** Phase of a filesystem whose spec cannot be carried out. */
  public static final String FAILED = LustreFilesystemStatus.FAILED;
  /** Reason of its Ready condition. */
  public static final String INVALID_SPEC = "InvalidSpec";

  private final KubernetesClient client;
  private final String namespace;
  private final ServerAgents agents;
  private final AgentCredentials credentials;
  private final int agentPort;
  private final ToLongFunction<String> committedBytes;
  private final Clock clock;
  private final FilesystemEvents events;
  private final Duration upgradeLimit;
  private final OstDrainer drainer;
  /** Held from reading the other filesystems' addresses to writing a plan that takes new ones. */
  private final Object addressPlanning = new Object();
  private final AddressClaims addressClaims;

  public FilesystemReconciler(KubernetesClient client, String namespace, ServerAgents agents, AgentCredentials credentials,
      int agentPort, ToLongFunction<String> committedBytes, Clock clock) {
    this(client, namespace, agents, credentials, agentPort, committedBytes, clock, RollingUpgrade.DEFAULT_LIMIT);
  }

  /**
   * @param upgradeLimit how long a server replaced by a rolling upgrade may take to come back
   *     before the rollout stops
   */
  public FilesystemReconciler(KubernetesClient client, String namespace, ServerAgents agents, AgentCredentials credentials,
      int agentPort, ToLongFunction<String> committedBytes, Clock clock, Duration upgradeLimit) {
    this.upgradeLimit = upgradeLimit;
    this.client = client;
    this.namespace = namespace;
    this.agents = agents;
    this.credentials = credentials;
    this.agentPort = agentPort;
    this.committedBytes = committedBytes;
    this.clock = clock;
    this.events = new FilesystemEvents(client, namespace, clock);
    this.addressClaims = new AddressClaims(client, namespace);
    this.drainer = new OstDrainer(client, namespace, agents, events, clock, new OstDrainer.Host() {
      @Override
      public LustreFilesystem writeStatus(LustreFilesystem filesystem, LustreFilesystemStatus status) {
        return FilesystemReconciler.this.writeStatus(filesystem, status);
      }

      @Override
      public void ensureServer(LustreFilesystem filesystem, LustreFilesystemStatus plan, ServerStatus server) {
        FilesystemReconciler.this.ensureServer(filesystem, plan, server);
      }
    });
  }

  /** One pass over the named filesystem; returns it as it stands afterwards, or empty if it does not exist. */
  public Optional<LustreFilesystem> reconcile(String name) {
    LustreFilesystem filesystem = client.resources(LustreFilesystem.class).inNamespace(namespace).withName(name).get();
    if (filesystem == null || filesystem.getMetadata().getDeletionTimestamp() != null) {
      return Optional.ofNullable(filesystem);
    }
    LustreFilesystemStatus current = filesystem.getStatus() == null ? LustreFilesystemStatus.empty() : filesystem.getStatus();
    if (filesystem.getSpec().runBySite()) {
      return Optional.of(reconcileExternal(filesystem, current));
    }
    LustreFilesystemStatus planned;
    try {
      String problem = ServerSpecProblems.first(filesystem.getSpec());
      if (problem != null) {
        throw new FilesystemPlanner.PlanException(problem);
      }
      planned = FilesystemPlanner.plan(filesystem.getSpec(), current, List.of());
      if (planned.servers().size() > current.servers().size()) {
        // New servers need addresses no other filesystem holds: planned again, and written, with
        // every other filesystem's addresses read under one lock, so that two filesystems
        // reconciled at once never take the same address.
        // The lock keeps this process's passes apart; the claims, every replica's (see AddressClaims).
        synchronized (addressPlanning) {
          Set<String> taken = new TreeSet<>(AddressesElsewhere.of(client, namespace, name));
          Map<String, String> held = addressClaims.held(filesystem);  // a pass that died before writing its plan claimed these
          planned = FilesystemPlanner.plan(filesystem.getSpec(), current, taken, held);
          for (Optional<String> claimed = claimNewAddresses(filesystem, current, planned); claimed.isPresent();
              claimed = claimNewAddresses(filesystem, current, planned)) {
            taken.add(claimed.get());  // another replica's plan has it: plan again without it
            planned = FilesystemPlanner.plan(filesystem.getSpec(), current, taken, held);
          }
          filesystem = writeStatus(filesystem, planned);  // the plan is durable before anything is made from it
        }
      } else if (!planned.targets().equals(current.targets())) {
        filesystem = writeStatus(filesystem, planned);
      }
    } catch (FilesystemPlanner.PlanException e) {
      LustreFilesystemStatus failed = failed(current, filesystem, e.getMessage());
      filesystem = failed.equals(current) ? filesystem : writeStatus(filesystem, failed);
      keepRecordedServers(filesystem, current);
      return Optional.of(filesystem);
    }
    ensureObjects(filesystem, planned);
    Observation observation = observe(filesystem, planned);
    LustreFilesystemStatus observed = observation.status();
    Map<String, VmiView> instances = instances(planned);
    RollingUpgrade.Step upgrade = RollingUpgrade.next(filesystem.getSpec().serverImage(), current, observed, images(planned, instances),
        clock.instant(), upgradeLimit);
    if (upgrade.status() != null) {
      List<LustreFilesystemStatus.FilesystemCondition> conditions = new ArrayList<>(observed.conditions());
      conditions.add(upgrade.condition());
      observed = observed.withUpgrade(upgrade.status(), conditions);
    }
    if (!Objects.equals(observed.phase(), current.phase())) {
      events.phaseChanged(filesystem, current.phase(), observed);
    }
    if (!observed.equals(filesystem.getStatus())) {
      filesystem = writeStatus(filesystem, observed);  // the server picked is recorded before it is replaced
    }
    for (RollingUpgrade.Note note : upgrade.notes()) {
      if (note.warning()) {
        events.warning(filesystem, note.reason(), note.message());
      } else {
        events.normal(filesystem, note.reason(), note.message());
      }
    }
    if (upgrade.replace().isPresent()) {
      String server = upgrade.replace().get();
      replace(filesystem, observed, server, instances.get(server));
    }
    if (observed.targets().stream().anyMatch(t -> t.drain() != null) || observed.servers().stream().anyMatch(ServerStatus::removed)) {
      filesystem = drainer.advance(filesystem, observation.servers(), observation.usage());
    }
    return Optional.of(filesystem);
  }

  /** Claims the addresses of the servers the plan adds; the first address another filesystem claimed first, else empty. */
  private Optional<String> claimNewAddresses(LustreFilesystem filesystem, LustreFilesystemStatus current, LustreFilesystemStatus planned) {
    Set<String> existing = new TreeSet<>(current.servers().stream().map(ServerStatus::name).toList());
    for (ServerStatus server : planned.servers()) {
      if (!existing.contains(server.name()) && addressClaims.claim(filesystem, server).isPresent()) {
        return Optional.of(server.address());
      }
    }
    return Optional.empty();
  }

  /** Each server's running instance as this pass saw it (none: an empty view); a server drained away has none to see. */
  private Map<String, VmiView> instances(LustreFilesystemStatus plan) {
    Map<String, VmiView> instances = new LinkedHashMap<>();
    var vmis = client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(namespace);
    for (ServerStatus server : plan.servers()) {
      if (!server.removed()) {
        instances.put(server.name(), VmiView.of(vmis.withName(server.name()).get()));
      }
    }
    return instances;
  }

  /** Each server's images: what its VM's template boots from and what its running instance booted from. */
  private Map<String, RollingUpgrade.ServerImages> images(LustreFilesystemStatus plan, Map<String, VmiView> instances) {
    Map<String, RollingUpgrade.ServerImages> images = new LinkedHashMap<>();
    var vms = client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).inNamespace(namespace);
    for (ServerStatus server : plan.servers()) {
      if (server.removed()) {
        continue;  // drained away: nothing to upgrade
      }
      String template = ServerVirtualMachines.templateImage(vms.withName(server.name()).get()).orElse("");
      images.put(server.name(), new RollingUpgrade.ServerImages(template, instances.get(server.name()).image()));
    }
    return images;
  }

  /**
   * Boots a server on the spec's image: its VM's template takes the image, and its running
   * instance is deleted so that KubeVirt (runStrategy Always) starts a new one from the template.
   * KubeVirt does not restart an instance when its VM's template changes; deleting the instance
   * shuts the guest down (terminationGracePeriodSeconds), so its targets unmount, and the new
   * instance keeps the VM's disks, MAC and storage-network address.
   *
   * <p>Only the instance this pass decided on is deleted ({@code seen}, by its uid): every replica
   * runs passes, and one whose view is a moment old must not stop the new instance another
   * replica's replacement has just started. None seen, or one already shutting down, has nothing
   * left to delete; the template alone decides what boots next.
   */
  private void replace(LustreFilesystem filesystem, LustreFilesystemStatus plan, String serverName, VmiView seen) {
    ServerStatus server = plan.servers().stream().filter(s -> s.name().equals(serverName)).findFirst().orElseThrow();
    List<TargetStatus> targets = plan.targets().stream().filter(t -> t.server().equals(serverName) && t.diskAttached()).toList();
    var vms = client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).inNamespace(namespace);
    GenericKubernetesResource existing = vms.withName(serverName).get();
    GenericKubernetesResource vm = ServerVirtualMachines.build(filesystem, server, targets, agentPort, filesystem.getSpec().serverImage());
    if (existing != null && !sameSpec(existing, vm)) {
      existing.getAdditionalProperties().put("spec", vm.getAdditionalProperties().get("spec"));
      vms.resource(existing).update();
    }
    if (!seen.uid().isEmpty() && !seen.shuttingDown()) {
      InstanceDeletion.deleteIfStill(client, namespace, serverName, seen.uid());
    }
  }

  /** One pass's look at the servers: the status it makes, and what the drain steps need of it. */
  private record Observation(LustreFilesystemStatus status, Map<String, ServerObservation> servers,
      Optional<GetTargetUsageResponse> usage) {}

  /**
   * A filesystem the site runs: nothing to plan or make, only to observe through the agent on its
   * management host. Status, conditions and Events follow as for the driver's own filesystems.
   */
  private LustreFilesystem reconcileExternal(LustreFilesystem filesystem, LustreFilesystemStatus current) {
    ExternalSpec site;
    try {
      site = ExternalSpec.of(filesystem.getSpec().external());
    } catch (ExternalSpec.InvalidExternalSpec e) {
      LustreFilesystemStatus failed = failed(current, filesystem, e.getMessage());
      return failed.equals(current) ? filesystem : writeStatus(filesystem, failed);
    }
    String name = filesystem.getMetadata().getName();
    String fsName = filesystem.getSpec().fsName();
    String address = site.agentAddress();
    Optional<GetHealthResponse> health = Optional.empty();
    Optional<CheckServersResponse> connections = Optional.empty();
    Optional<GetTargetUsageResponse> usage = Optional.empty();
    String error = null;
    try {
      health = Optional.of(agents.health(name, ExternalStatusCalculator.AGENT_NAME, address));
      connections = Optional.of(agents.checkServers(name, address, fsName));
      usage = Optional.of(agents.targetUsage(name, address, fsName));
    } catch (ServerAgents.AgentUnavailableException | CsiException e) {
      error = e.getMessage();
    }
    Long generation = filesystem.getMetadata().getGeneration();
    LustreFilesystemStatus observed = ExternalStatusCalculator.observe(current, fsName, site,
        new ExternalStatusCalculator.Observation(health, connections, usage, error), generation == null ? 0 : generation,
        committedBytes.applyAsLong(fsName), clock.instant());
    if (!Objects.equals(observed.phase(), current.phase())) {
      events.phaseChanged(filesystem, current.phase(), observed);
    }
    return observed.equals(current) ? filesystem : writeStatus(filesystem, observed);
  }

  /**
   * While the spec is invalid, nothing is planned from it, and what runs is left as it is; but the
   * servers already planned, recorded in the status, are kept alive: a VM or target disk of the
   * recorded plan that is gone (deleted by an admin, lost) is made again as the plan has it, as
   * long as the spec's fields it is built from are valid (its image, memory and storage network
   * for a VM, its size for a disk). Nothing that exists is changed, so an edit that made the spec
   * invalid reaches no running server.
   */
  private void keepRecordedServers(LustreFilesystem filesystem, LustreFilesystemStatus recorded) {
    if (recorded.servers().isEmpty()) {
      return;  // nothing planned yet: nothing to keep
    }
    LustreFilesystemSpec spec = filesystem.getSpec();
    credentials.ensureServerSecret(filesystem);
    for (TargetStatus target : recorded.targets()) {
      if (target.diskAttached() && ServerSpecProblems.diskBuildable(spec, target.kind())
          && client.persistentVolumeClaims().inNamespace(namespace).withName(target.disk()).get() == null) {
        createDisk(filesystem, TargetDisks.build(filesystem, target), target);
      }
    }
    if (!ServerSpecProblems.serversBuildable(spec)) {
      return;
    }
    var vms = client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).inNamespace(namespace);
    for (ServerStatus server : recorded.servers()) {
      if (!server.removed() && vms.withName(server.name()).get() == null) {
        ensureServer(filesystem, recorded, server);
      }
    }
  }

  private void createDisk(LustreFilesystem filesystem, PersistentVolumeClaim claim, TargetStatus target) {
    createIgnoringConflict(() -> client.persistentVolumeClaims().inNamespace(namespace).resource(claim).create());
    events.normal(filesystem, "DiskCreated", "created PVC " + claim.getMetadata().getName() + " for " + target.name());
  }

  private void ensureObjects(LustreFilesystem filesystem, LustreFilesystemStatus plan) {
    credentials.ensureServerSecret(filesystem);  // the VMs mount it: it must exist before them
    for (TargetStatus target : plan.targets()) {
      if (!target.diskAttached()) {
        continue;  // drained: its disk is being (or was) deleted, never made again
      }
      PersistentVolumeClaim claim = TargetDisks.build(filesystem, target);
      PersistentVolumeClaim existing = client.persistentVolumeClaims().inNamespace(namespace).withName(claim.getMetadata().getName()).get();
      if (existing == null) {
        createDisk(filesystem, claim, target);
      } else {
        Optional<List<OwnerReference>> owners = TargetDisks.ownersForRetention(filesystem, existing);
        if (owners.isPresent()) {
          existing.getMetadata().setOwnerReferences(owners.get());
          client.persistentVolumeClaims().inNamespace(namespace).resource(existing).update();
          events.normal(filesystem, "DiskRetention", "PVC " + claim.getMetadata().getName() + " of " + target.name() + " is now "
              + (owners.get().isEmpty() ? "kept" : "deleted") + " when the filesystem is deleted (spec.retention "
              + Objects.requireNonNullElse(filesystem.getSpec().retention(), LustreFilesystemSpec.RETAIN) + ")");
        }
      }
    }
    for (ServerStatus server : plan.servers()) {
      if (!server.removed()) {
        ensureServer(filesystem, plan, server);
      }
    }
  }

  /** The server's cloud-init Secret and VM as the plan has them, with the disks of its targets still attached. */
  private void ensureServer(LustreFilesystem filesystem, LustreFilesystemStatus plan, ServerStatus server) {
    ServerStatus mgs = plan.servers().getFirst();
    List<TargetStatus> targets = plan.targets().stream().filter(t -> t.server().equals(server.name()) && t.diskAttached()).toList();
    Secret cloudInit = ServerVirtualMachines.cloudInit(filesystem, server, mgs, agentPort);
    Secret existingSecret = client.secrets().inNamespace(namespace).withName(cloudInit.getMetadata().getName()).get();
    if (existingSecret == null) {
      createIgnoringConflict(() -> client.secrets().inNamespace(namespace).resource(cloudInit).create());
    } else if (!cloudInit.getData().equals(existingSecret.getData())) {
      existingSecret.setData(cloudInit.getData());
      client.secrets().inNamespace(namespace).resource(existingSecret).update();
    }
    var vms = client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).inNamespace(namespace);
    GenericKubernetesResource existing = vms.withName(server.name()).get();
    String running = VmiView.of(client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(namespace)
        .withName(server.name()).get()).image();
    String image = RollingUpgrade.imageFor(server.name(), filesystem.getSpec().serverImage(),
        ServerVirtualMachines.templateImage(existing).orElse(""), running, plan.upgrade());
    GenericKubernetesResource vm = ServerVirtualMachines.build(filesystem, server, targets, agentPort, image);
    if (existing == null) {
      createIgnoringConflict(() -> vms.resource(vm).create());
      events.normal(filesystem, "ServerCreated", "created VirtualMachine " + server.name() + " (" + server.role() + ", " + server.address() + ")");
    } else if (!sameSpec(existing, vm)) {
      // New OST disks on a running OSS, or a drained one let go: KubeVirt hot-plugs and unplugs (DeclarativeHotplugVolumes).
      // A new image reaches the template only when the rolling upgrade picks the server (see RollingUpgrade).
      existing.getAdditionalProperties().put("spec", vm.getAdditionalProperties().get("spec"));
      vms.resource(existing).update();
      events.normal(filesystem, "ServerUpdated", server.name() + " now has the disks of " + targets.stream().map(TargetStatus::name).toList()
          + " and boots " + image);
    }
  }

  private Observation observe(LustreFilesystem filesystem, LustreFilesystemStatus plan) {
    Map<String, ServerObservation> seen = new LinkedHashMap<>();
    var vms = client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).inNamespace(namespace);
    var vmis = client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(namespace);
    for (ServerStatus server : plan.servers()) {
      if (server.removed()) {
        continue;
      }
      boolean vmExists = vms.withName(server.name()).get() != null;
      GenericKubernetesResource vmi = vmis.withName(server.name()).get();
      VmiView view = VmiView.of(vmi);
      ServerObservation observation;
      if (!"Running".equals(view.phase()) || view.podAddress().isEmpty()) {
        observation = new ServerObservation(vmExists, view.phase(), view.shuttingDown(), view.ready(), view.podAddress(), Optional.empty(),
            "VMI not running");
      } else {
        // One shutting down is still asked: its targets are mounted until the guest unmounts them.
        try {
          observation = new ServerObservation(vmExists, view.phase(), view.shuttingDown(), view.ready(), view.podAddress(),
              Optional.of(agents.health(filesystem.getMetadata().getName(), server.name(), view.podAddress())), null);
        } catch (ServerAgents.AgentUnavailableException | CsiException e) {
          observation = new ServerObservation(vmExists, view.phase(), view.shuttingDown(), view.ready(), view.podAddress(), Optional.empty(),
              e.getMessage());
        }
      }
      seen.put(server.name(), observation);
    }
    Optional<GetTargetUsageResponse> usage = Optional.empty();
    Optional<ServerStatus> mds = plan.servers().stream().filter(s -> TargetKinds.MDS.equals(s.role())).findFirst();
    if (mds.isPresent() && seen.get(mds.get().name()).agent().isPresent()) {
      try {
        usage = Optional.of(agents.targetUsage(filesystem.getMetadata().getName(), seen.get(mds.get().name()).podAddress(),
            filesystem.getSpec().fsName()));
      } catch (ServerAgents.AgentUnavailableException | CsiException e) {
        usage = Optional.empty();  // capacity stays as last seen; the MDS's state already says why
      }
    }
    Long generation = filesystem.getMetadata().getGeneration();
    return new Observation(FilesystemStatusCalculator.observe(plan, seen, usage, generation == null ? 0 : generation,
        committedBytes.applyAsLong(filesystem.getSpec().fsName()), clock.instant()), seen, usage);
  }

  /**
   * The status of a filesystem whose spec cannot be planned: phase Failed, Ready=False with reason
   * {@value #INVALID_SPEC} naming the field. Everything already planned is kept (nothing is ever
   * unplanned); the Event and the transition time only change when the message does, so a pass
   * over an unchanged invalid spec writes nothing.
   */
  private LustreFilesystemStatus failed(LustreFilesystemStatus current, LustreFilesystem filesystem, String message) {
    Long generation = filesystem.getMetadata().getGeneration();
    boolean unchanged = FAILED.equals(current.phase()) && current.conditions().stream()
        .anyMatch(c -> c.type().equals("Ready") && INVALID_SPEC.equals(c.reason()) && message.equals(c.message()));
    String since = unchanged ? current.conditions().stream().filter(c -> c.type().equals("Ready")).findFirst().orElseThrow()
        .lastTransitionTime() : clock.instant().toString();
    if (!unchanged) {
      events.warning(filesystem, INVALID_SPEC, message);
    }
    var condition = new LustreFilesystemStatus.FilesystemCondition("Ready", "False", INVALID_SPEC, message, since, generation);
    return new LustreFilesystemStatus(FAILED, generation, List.of(condition), current.servers(), current.targets(),
        current.ostCount(), current.capacity(), current.used(), current.health(), current.usableBytes(), current.committedBytes(),
        current.usedBytes(), current.nextProjectId(), current.fill(), current.upgrade(), current.draining());
  }

  private LustreFilesystem writeStatus(LustreFilesystem filesystem, LustreFilesystemStatus status) {
    filesystem.setStatus(status);
    // resourceVersion is kept: a concurrent writer makes this fail with 409 and the pass is retried.
    return client.resources(LustreFilesystem.class).inNamespace(namespace).resource(filesystem).updateStatus();
  }

  /**
   * Whether the VM already has every field of the spec this controller wants it to have. Fields
   * it has besides are KubeVirt's: its admission webhook stores defaults (the machine type, the
   * architecture) that the controller does not set, and comparing whole specs would rewrite every
   * VM, with an Event saying so, on every pass.
   */
  private static boolean sameSpec(GenericKubernetesResource existing, GenericKubernetesResource desired) {
    var json = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    return JsonSubset.contains(json.valueToTree(existing.getAdditionalProperties().get("spec")),
        json.valueToTree(desired.getAdditionalProperties().get("spec")));
  }

  /** Another pass or replica made it between our read and our create: that is the object we wanted. */
  private static void createIgnoringConflict(Runnable create) {
    try {
      create.run();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }
}
