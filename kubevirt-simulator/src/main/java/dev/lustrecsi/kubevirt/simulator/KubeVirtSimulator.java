package dev.lustrecsi.kubevirt.simulator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
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
 * <p>Listeners hear when an instance starts and stops: the sandbox starts a server agent per
 * running VM, which is what the image's systemd units do on a real cluster.
 */
public final class KubeVirtSimulator {
  public static final ResourceDefinitionContext VMS = new ResourceDefinitionContext.Builder()
      .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachine").withPlural("virtualmachines").withNamespaced(true).build();
  public static final ResourceDefinitionContext VMIS = new ResourceDefinitionContext.Builder()
      .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances")
      .withNamespaced(true).build();

  /** Hears instances start and stop. */
  public interface Listener {
    void started(GenericKubernetesResource vm, String podAddress);

    void stopped(String vmName);
  }

  private final KubernetesClient client;
  private final String namespace;
  private final IntFunction<String> podAddresses;
  private final List<Listener> listeners;
  private final Map<String, String> running = new ConcurrentHashMap<>();
  private final Map<String, String> unschedulable = new ConcurrentHashMap<>();
  private int started;

  /**
   * @param podAddresses the pod-network address of the n-th instance started (KubeVirt gives a new one per start)
   */
  public KubeVirtSimulator(KubernetesClient client, String namespace, IntFunction<String> podAddresses, List<Listener> listeners) {
    this.client = client;
    this.namespace = namespace;
    this.podAddresses = podAddresses;
    this.listeners = List.copyOf(listeners);
  }

  /** One pass: every VM that should run has a running instance, and nothing else has one. */
  public synchronized void sync() {
    var vms = client.genericKubernetesResources(VMS).inNamespace(namespace);
    var vmis = client.genericKubernetesResources(VMIS).inNamespace(namespace);
    Map<String, GenericKubernetesResource> instances = vmis.list().getItems().stream()
        .collect(Collectors.toMap(i -> i.getMetadata().getName(), i -> i, (a, b) -> a, HashMap::new));
    Set<String> wanted = new java.util.HashSet<>();
    for (GenericKubernetesResource vm : vms.list().getItems()) {
      String name = vm.getMetadata().getName();
      if (!shouldRun(vm)) {
        continue;
      }
      wanted.add(name);
      GenericKubernetesResource instance = instances.get(name);
      if (instance != null && "Failed".equals(phaseOf(instance))) {
        vmis.withName(name).delete();
        stop(name);
        instance = null;
      }
      if (instance == null) {
        // Deleted by someone (a restart, an eviction): its guest is gone, and a new one boots from the VM's template as it is now.
        stop(name);
        start(vm);
      } else if ("Scheduling".equals(phaseOf(instance)) && !unschedulable.containsKey(name)) {
        vmis.withName(name).delete();
        start(vm);
      }
    }
    for (String name : instances.keySet()) {
      if (!wanted.contains(name)) {
        vmis.withName(name).delete();
        stop(name);
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
   * deleted and its guest stops at once; the next {@link #sync} starts a new instance from the VM's
   * template as it is then (a new image, if the template changed), with a new pod address.
   */
  public synchronized void evict(String vmName) {
    var vmis = client.genericKubernetesResources(VMIS).inNamespace(namespace);
    if (vmis.withName(vmName).get() != null) {
      vmis.withName(vmName).delete();
    }
    stop(vmName);
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

  /** The pod addresses of the running instances, by VM name. */
  public Map<String, String> running() {
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
    running.put(name, address);
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
    if (running.remove(name) != null) {
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

  private static String phaseOf(GenericKubernetesResource instance) {
    return instance.getAdditionalProperties().get("status") instanceof Map<?, ?> status && status.get("phase") instanceof String phase
        ? phase : "";
  }
}
