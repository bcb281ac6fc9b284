package dev.lustrecsi.controller.servers;

import dev.lustrecsi.controller.filesystem.AddressPool;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The KubeVirt VirtualMachine of one Lustre server, and the Secret holding its cloud-init.
 *
 * <p>Choices, each for a reason: runStrategy Always, so KubeVirt restarts a server whose node
 * died; evictionStrategy None, because target disks are ReadWriteOnce block volumes that cannot
 * live-migrate; the storage network on a Multus interface with a fixed MAC and a static address
 * (masquerade cannot carry LNet, pod-network addresses change on restart); target disks on the
 * SCSI bus and hot-pluggable, so an OST added to a running OSS is attached without a reboot
 * (KubeVirt's DeclarativeHotplugVolumes); the agent's TLS material as a Secret disk.
 */
public final class ServerVirtualMachines {
  public static final String API_VERSION = "kubevirt.io/v1";
  public static final String KIND = "VirtualMachine";
  public static final int DEFAULT_CPU = 2;
  public static final String DEFAULT_MEMORY = "4Gi";
  /** The disk and volume the server image boots from. */
  public static final String ROOT_DISK = "root";

  private ServerVirtualMachines() {}

  public static GenericKubernetesResource build(LustreFilesystem filesystem, ServerStatus server, List<TargetStatus> targets, int agentPort) {
    return build(filesystem, server, targets, agentPort, filesystem.getSpec().serverImage());
  }

  /**
   * The VM with its root disk from {@code image}: during a rolling upgrade a server the rollout has
   * not reached yet keeps the image it runs, so its VM does not change under it.
   */
  public static GenericKubernetesResource build(LustreFilesystem filesystem, ServerStatus server, List<TargetStatus> targets, int agentPort,
      String image) {
    LustreFilesystemSpec spec = filesystem.getSpec();
    ResourceNames names = ResourceNames.of(spec.fsName());
    Map<String, String> labels = ObjectMeta.labels(filesystem, ObjectMeta.SERVER_COMPONENT);
    labels.put(ObjectMeta.ROLE_LABEL, server.role());

    List<Object> disks = new ArrayList<>();
    List<Object> volumes = new ArrayList<>();
    disks.add(map("name", ROOT_DISK, "disk", map("bus", "virtio")));
    volumes.add(map("name", ROOT_DISK, "containerDisk", map("image", image)));
    disks.add(map("name", "cloudinit", "disk", map("bus", "virtio")));
    volumes.add(map("name", "cloudinit", "cloudInitNoCloud", map(
        "secretRef", map("name", names.cloudInitSecret(server.name())),
        "networkDataSecretRef", map("name", names.cloudInitSecret(server.name())))));
    disks.add(map("name", "agent-tls", "disk", map("bus", "virtio")));
    volumes.add(map("name", "agent-tls", "secret", map("secretName", names.agentTlsSecret(), "volumeLabel", ServerSetup.TLS_LABEL)));
    for (TargetStatus target : targets) {
      String volume = TargetDisks.serial(target);
      disks.add(map("name", volume, "serial", volume, "disk", map("bus", "scsi")));
      volumes.add(map("name", volume, "persistentVolumeClaim", map("claimName", target.disk(), "hotpluggable", true)));
    }

    boolean rdma = spec.lnetNetworks() != null && spec.lnetNetworks().contains("o2ib");
    Map<String, Object> storageInterface = map("name", "lnet", "macAddress", ServerSetup.macAddress(server.address()));
    storageInterface.put(rdma ? "sriov" : "bridge", Map.of());
    Map<String, Object> domain = map(
        "cpu", map("cores", spec.serverCpu() == null ? DEFAULT_CPU : spec.serverCpu()),
        "memory", map("guest", spec.serverMemory() == null ? DEFAULT_MEMORY : spec.serverMemory()),
        "devices", map(
            "disks", disks,
            "interfaces", List.of(
                // Masquerade forwards only the ports declared here into the VM: the agent's gRPC and its metrics.
                map("name", "default", "masquerade", Map.of(), "ports", List.of(
                    map("name", "agent", "port", agentPort, "protocol", "TCP"),
                    map("name", "metrics", "port", ServerSetup.AGENT_METRICS_PORT, "protocol", "TCP"))),
                storageInterface)));
    Map<String, Object> templateSpec = map(
        "domain", domain,
        "evictionStrategy", "None",
        "terminationGracePeriodSeconds", 120,
        "networks", List.of(
            map("name", "default", "pod", Map.of()),
            map("name", "lnet", "multus", map("networkName", spec.storageNetwork().networkAttachmentDefinition()))),
        "readinessProbe", map(
            "exec", map("command", List.of("sh", "-c", "lctl get_param -n health_check | grep -qx healthy")),
            "initialDelaySeconds", 60,
            "periodSeconds", 20,
            "timeoutSeconds", 10),
        "volumes", volumes);
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(KIND)
        .withMetadata(ObjectMeta.of(filesystem, server.name(), labels, true))
        .addToAdditionalProperties("spec", map(
            "runStrategy", "Always",
            "template", map(
                "metadata", map("labels", new LinkedHashMap<>(labels)),
                "spec", templateSpec)))
        .build();
  }

  /** The image a VM's template boots from, if it names one. */
  public static Optional<String> templateImage(GenericKubernetesResource vm) {
    if (vm != null && vm.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
        && spec.get("template") instanceof Map<?, ?> template && template.get("spec") instanceof Map<?, ?> templateSpec) {
      return rootImage(templateSpec);
    }
    return Optional.empty();
  }

  /** The containerDisk image of the root volume in a VM template's or a VMI's spec. */
  public static Optional<String> rootImage(Map<?, ?> vmSpec) {
    if (vmSpec.get("volumes") instanceof List<?> volumes) {
      for (Object item : volumes) {
        if (item instanceof Map<?, ?> volume && ROOT_DISK.equals(volume.get("name"))
            && volume.get("containerDisk") instanceof Map<?, ?> disk && disk.get("image") instanceof String image) {
          return Optional.of(image);
        }
      }
    }
    return Optional.empty();
  }

  /** The Secret with the server's cloud-init user data and network data. */
  public static Secret cloudInit(LustreFilesystem filesystem, ServerStatus server, ServerStatus mgs, int agentPort) {
    AddressPool pool = AddressPool.parse(filesystem.getSpec().storageNetwork().cidr(), filesystem.getSpec().storageNetwork().firstHost());
    Map<String, String> labels = ObjectMeta.labels(filesystem, ObjectMeta.SERVER_COMPONENT);
    labels.put(ObjectMeta.ROLE_LABEL, server.role());
    return new SecretBuilder()
        .withMetadata(ObjectMeta.of(filesystem, ResourceNames.of(filesystem.getSpec().fsName()).cloudInitSecret(server.name()), labels, true))
        .withType("Opaque")
        .addToData("userdata", base64(ServerSetup.userData(filesystem, server, mgs, agentPort)))
        .addToData("networkdata", base64(ServerSetup.networkData(server, pool.withPrefix(server.address()))))
        .build();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** An insertion-ordered map from alternating keys and values: YAML reads in the order written. */
  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
