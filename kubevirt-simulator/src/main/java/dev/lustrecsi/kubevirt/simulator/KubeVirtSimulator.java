package dev.lustrecsi.kubevirt.simulator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * What KubeVirt's controllers do, as far as this project depends on it, against any Kubernetes
 * API (in tests and the sandbox: the embedded API server). For each VirtualMachine that should run
 * it creates a VirtualMachineInstance that is Running and Ready with a pod-network address, and
 * mirrors that into the VM's status; a VM deleted loses its VMI; a VMI that failed is replaced
 * (runStrategy Always), and so is one deleted (a restart: the new one boots from the VM's template
 * as it is then, a new image included). {@link #fail} makes a VM's instance fail, as when its
 * node dies; {@link #evict} deletes it, as an eviction does; {@link #unschedulable} keeps new
 * instances from starting.
 *
 * <p>A deleted instance whose guest runs does not go at once, as in KubeVirt: each instance
 * carries KubeVirt's finalizer, so a delete only marks it (metadata.deletionTimestamp, phase
 * still Running), its guest shuts down, and only once the guest is off does the instance go and
 * a new one start. The guest takes {@code shutdown} to shut down (at most the instance's
 * terminationGracePeriodSeconds), counted from the pass that sees the deletion; {@link #holdShutdown} keeps it shutting down until
 * {@link #releaseShutdown}, as a guest using its whole grace period does. An instance with no
 * guest (Failed, never scheduled) goes at once.
 *
 * <p>Listeners hear when a guest starts, begins to shut down and is off: the sandbox starts a
 * server agent per running VM, which is what the image's systemd units do on a real cluster, and
 * stops it and unmounts the VM's targets when its shutdown begins.
 */
public final class KubeVirtSimulator {
  public static final ResourceDefinitionContext VMS = new ResourceDefinitionContext.Builder()
      .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachine").withPlural("virtualmachines").withNamespaced(true).build();
  public static final ResourceDefinitionContext VMIS = new ResourceDefinitionContext.Builder()
      .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances")
      .withNamespaced(true).build();
  /** The finalizer KubeVirt puts on every instance: it holds a deleted one until its guest is off. */
  public static final String FINALIZER = "foregroundDeleteVirtualMachine";
  /** How long a simulated guest takes to shut down unless told otherwise: long enough to be seen, short enough for tests. */
  public static final Duration SHUTDOWN = Duration.ofMillis(300);
  /** KubeVirt's terminationGracePeriodSeconds for an instance whose spec names none. */
  private static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);

  /** Hears guests start, begin to shut down, and stop. */
  public interface Listener {
    void started(GenericKubernetesResource vm, String podAddress);

    /**
     * The VM's guest begins to shut down, its instance having been deleted: its services stop and
     * its filesystems unmount, while the instance stays, Running, until {@link #stopped}.
     */
    void shuttingDown(String vmName);

    /** The VM's guest is off: shut down, or gone with its node. */
    void stopped(String vmName);
  }

  private final KubernetesClient client;
  private final String namespace;
  private final IntFunction<String> podAddresses;
  private final List<Listener> listeners;
  private final Duration shutdown;
  /** The pod address of each VM whose guest runs or shuts down. */
  private final Map<String, String> guests = new ConcurrentHashMap<>();
  /** When each guest shutting down is off, by VM name. */
  private final Map<String, Instant> shuttingDown = new ConcurrentHashMap<>();
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Map<String, String> unschedulable = new ConcurrentHashMap<>();
  private int started;

  /** A simulator whose guests take {@link #SHUTDOWN} to shut down. */
  public KubeVirtSimulator(KubernetesClient client, String namespace, IntFunction<String> podAddresses, List<Listener> listeners) {
    this(client, namespace, podAddresses, listeners, SHUTDOWN);
  }

  /**
   * @param podAddresses the pod-network address of the n-th instance started (KubeVirt gives a new one per start)
   * @param shutdown how long a guest takes to shut down once its instance is deleted; with zero, the
   *     pass that sees the deletion shuts it down, the instance staying until then (for tests that
   *     run the passes themselves, and hold a shutdown where they look at it)
   */
  public KubeVirtSimulator(KubernetesClient client, String namespace, IntFunction<String> podAddresses, List<Listener> listeners,
      Duration shutdown) {
    this.client = client;
    this.namespace = namespace;
    this.podAddresses = podAddresses;
    this.listeners = List.copyOf(listeners);
    this.shutdown = shutdown;
  }

  /**
   * One pass: the instances of VMs that should not run are deleted; the guests of deleted
   * instances shut down, and those off go; every VM that should run and has no instance gets one.
   */
  public synchronized void sync() {
    var vmis = client.genericKubernetesResources(VMIS).inNamespace(namespace);
    Map<String, GenericKubernetesResource> wanted = new HashMap<>();
    for (GenericKubernetesResource vm : client.genericKubernetesResources(VMS).inNamespace(namespace).list().getItems()) {
      if (shouldRun(vm)) {
        wanted.put(vm.getMetadata().getName(), vm);
      }
    }
    for (GenericKubernetesResource instance : vmis.list().getItems()) {
      String name = instance.getMetadata().getName();
      if (deleting(instance)) {
        continue;
      }
      if (!wanted.containsKey(name)) {
        vmis.withName(name).delete();
      } else if ("Failed".equals(phaseOf(instance))) {
        vmis.withName(name).delete();
        stop(name);
      } else if ("Scheduling".equals(phaseOf(instance)) && !unschedulable.containsKey(name)) {
        vmis.withName(name).delete();
      }
    }
    Map<String, GenericKubernetesResource> instances = vmis.list().getItems().stream()
        .collect(Collectors.toMap(i -> i.getMetadata().getName(), i -> i, (a, b) -> a, HashMap::new));
    Instant now = Instant.now();
    for (GenericKubernetesResource instance : List.copyOf(instances.values())) {
      if (deleting(instance) && shutDown(instance, now)) {
        instances.remove(instance.getMetadata().getName());
      }
    }
    for (GenericKubernetesResource vm : wanted.values()) {
      if (!instances.containsKey(vm.getMetadata().getName())) {
        // Its instance went (a restart, an eviction, a failure): a new one boots from the VM's template as it is now.
        start(vm);
      }
    }
  }

  /**
   * The guest of a deleted instance shuts down: its shutdown begins when first seen, and once it
   * is over (or at once, with no guest) the instance loses its finalizer and goes. Whether it went.
   */
  private boolean shutDown(GenericKubernetesResource instance, Instant now) {
    String name = instance.getMetadata().getName();
    if (guests.containsKey(name)) {
      Instant off = shuttingDown.get(name);
      if (off == null) {
        off = now.plus(min(shutdown, graceOf(instance)));
        shuttingDown.put(name, off);
        for (Listener listener : listeners) {
          listener.shuttingDown(name);
        }
      }
      if (now.isBefore(off) || held.contains(name)) {
        return false;
      }
      stop(name);
    }
    release(instance);
    return true;
  }

  /** Removes KubeVirt's finalizer from the instance: the API server lets it go. */
  private void release(GenericKubernetesResource instance) {
    var vmis = client.genericKubernetesResources(VMIS).inNamespace(namespace);
    try {
      vmis.withName(instance.getMetadata().getName()).edit(current -> {
        List<String> finalizers = new java.util.ArrayList<>(current.getMetadata().getFinalizers());
        finalizers.remove(FINALIZER);
        current.getMetadata().setFinalizers(finalizers);
        return current;
      });
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  /** Makes a VM's instance fail, as when the node under it dies; the next {@link #sync} restarts it. */
  public synchronized void fail(String vmName) {
    var vmis = client.genericKubernetesResources(VMIS).inNamespace(namespace);
    GenericKubernetesResource instance = vmis.withName(vmName).get();
    if (instance != null) {
      instance.getAdditionalProperties().put("status", Map.of("phase", "Failed", "conditions", List.of(
          Map.of("type", "Ready", "status", "False", "reason", "NodeLost"))));
      vmis.resource(instance).updateStatus();
      stop(vmName);
    }
  }

  /**
   * Evicts a VM's instance, as a node drain or {@code virtctl restart} does: the instance is
   * deleted, and its guest shuts down over the next {@link #sync}s (see {@link #holdShutdown});
   * once it is off, a new instance starts from the VM's template as it is then (a new image, if
   * the template changed), with a new pod address.
   */
  public synchronized void evict(String vmName) {
    var vmis = client.genericKubernetesResources(VMIS).inNamespace(namespace);
    GenericKubernetesResource instance = vmis.withName(vmName).get();
    if (instance != null && !deleting(instance)) {
      vmis.withName(vmName).delete();
    }
  }

  /**
   * Keeps the VM's guest, once its instance is deleted, shutting down until {@link
   * #releaseShutdown}, as a guest that takes its whole terminationGracePeriodSeconds does: the
   * instance stays with its deletionTimestamp, phase Running, and no new one starts.
   */
  public synchronized void holdShutdown(String vmName) {
    held.add(vmName);
  }

  /** Lets the VM's guest finish shutting down: at the next {@link #sync} its instance goes and a new one starts. */
  public synchronized void releaseShutdown(String vmName) {
    held.remove(vmName);
  }

  /** The VMs whose guests are shutting down, their instances deleted but not gone. */
  public Set<String> shuttingDown() {
    return Set.copyOf(shuttingDown.keySet());
  }

  /**
   * Makes new instances of a VM stay in Scheduling, as when no node can take them or their image
   * cannot be pulled ({@code reason}); {@code null} lets them start again.
   */
  public synchronized void unschedulable(String vmName, String reason) {
    if (reason == null) {
      unschedulable.remove(vmName);
    } else {
      unschedulable.put(vmName, reason);
    }
  }

  /** The pod addresses of the guests that run (not those shutting down), by VM name. */
  public Map<String, String> running() {
    Map<String, String> running = new HashMap<>(guests);
    running.keySet().removeAll(shuttingDown.keySet());
    return Map.copyOf(running);
  }

  private void start(GenericKubernetesResource vm) {
    String name = vm.getMetadata().getName();
    String reason = unschedulable.get(name);
    if (reason != null) {
      createInstance(vm, Map.of("phase", "Scheduling", "conditions", List.of(
          Map.of("type", "Ready", "status", "False", "reason", "Unschedulable", "message", reason))));
      return;
    }
    String address = podAddresses.apply(started++);
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", "Running");
    status.put("conditions", List.of(Map.of("type", "Ready", "status", "True"), Map.of("type", "AgentConnected", "status", "True")));
    status.put("interfaces", List.of(Map.of("name", "default", "ipAddress", address, "interfaceName", "eth0")));
    createInstance(vm, status);
    markRunning(name);
    guests.put(name, address);
    for (Listener listener : listeners) {
      listener.started(vm, address);
    }
  }

  /** Creates the VM's instance from its template as it is now, with the given status. */
  private void createInstance(GenericKubernetesResource vm, Map<String, Object> status) {
    String name = vm.getMetadata().getName();
    GenericKubernetesResource instance = new GenericKubernetesResourceBuilder()
        .withApiVersion("kubevirt.io/v1").withKind("VirtualMachineInstance")
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(vm.getMetadata().getLabels())
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("kubevirt.io/v1").withKind("VirtualMachine")
            .withName(name).withUid(vm.getMetadata().getUid()).withController(true).build())
        .withFinalizers(FINALIZER)
        .endMetadata()
        .build();
    instance.getAdditionalProperties().put("spec", templateSpec(vm));
    var vmis = client.genericKubernetesResources(VMIS).inNamespace(namespace);
    try {
      instance = vmis.resource(instance).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      instance = vmis.withName(name).get();
    }
    // Status is a subresource: an API server ignores it on create, so it is written after.
    instance.getAdditionalProperties().put("status", status);
    vmis.resource(instance).updateStatus();
  }

  /**
   * Writes the VM's status as KubeVirt's controller does: on the VM as it is now, read again when
   * someone (the driver hot-plugging a disk, say) wrote it since, as an API server refuses a write
   * naming an older resourceVersion.
   */
  private void markRunning(String name) {
    var vms = client.genericKubernetesResources(VMS).inNamespace(namespace);
    for (int attempt = 1; ; attempt++) {
      GenericKubernetesResource current = vms.withName(name).get();
      if (current == null) {
        return;  // deleted meanwhile: the next pass stops its instance
      }
      current.getAdditionalProperties().put("status", Map.of("printableStatus", "Running", "ready", true, "created", true));
      try {
        vms.resource(current).updateStatus();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private void stop(String name) {
    shuttingDown.remove(name);
    if (guests.remove(name) != null) {
      for (Listener listener : listeners) {
        listener.stopped(name);
      }
    }
  }

  private static boolean shouldRun(GenericKubernetesResource vm) {
    if (!(vm.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)) {
      return false;
    }
    Object strategy = spec.get("runStrategy");
    return "Always".equals(strategy) || "RerunOnFailure".equals(strategy) || Boolean.TRUE.equals(spec.get("running"));
  }

  private static Object templateSpec(GenericKubernetesResource vm) {
    if (vm.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec && spec.get("template") instanceof Map<?, ?> template) {
      return template.get("spec");
    }
    return Map.of();
  }

  private static boolean deleting(GenericKubernetesResource instance) {
    return instance.getMetadata().getDeletionTimestamp() != null;
  }

  /** The instance's terminationGracePeriodSeconds: KubeVirt stops a guest not off by then. */
  private static Duration graceOf(GenericKubernetesResource instance) {
    if (instance.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
        && spec.get("terminationGracePeriodSeconds") instanceof Number seconds) {
      return Duration.ofSeconds(seconds.longValue());
    }
    return DEFAULT_GRACE;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String phaseOf(GenericKubernetesResource instance) {
    return instance.getAdditionalProperties().get("status") instanceof Map<?, ?> status && status.get("phase") instanceof String phase
        ? phase : "";
  }
}
