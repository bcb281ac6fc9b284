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
 * API (in tests and the sandbox: fabric8's mock server). For each VirtualMachine that should run
 * it creates a VirtualMachineInstance that is Running and Ready with a pod-network address, and
 * mirrors that into the VM's status; a VM deleted loses its VMI; a VMI that failed is replaced
 * (runStrategy Always). {@link #fail} makes a VM's instance fail, as when its node dies.
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

  /** The pod addresses of the running instances, by VM name. */
  public Map<String, String> running() {
    return Map.copyOf(running);
  }

  private void start(GenericKubernetesResource vm) {
    String name = vm.getMetadata().getName();
    String address = podAddresses.apply(started++);
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("phase", "Running");
    status.put("conditions", List.of(Map.of("type", "Ready", "status", "True"), Map.of("type", "AgentConnected", "status", "True")));
    status.put("interfaces", List.of(Map.of("name", "default", "ipAddress", address, "interfaceName", "eth0")));
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
    markRunning(name);
    running.put(name, address);
    for (Listener listener : listeners) {
      listener.started(vm, address);
    }
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
