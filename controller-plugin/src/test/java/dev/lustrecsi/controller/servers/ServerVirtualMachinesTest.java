package dev.lustrecsi.controller.servers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.Filesystems;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServerVirtualMachinesTest {
  private static OpenApiValidator kubevirt;

  @BeforeAll
  static void loadSchema() throws Exception {
    kubevirt = OpenApiValidator.kubevirt();
  }

  private static List<TargetStatus> targetsOf(LustreFilesystem filesystem, ServerStatus server) {
    return filesystem.getStatus().targets().stream().filter(t -> t.server().equals(server.name())).toList();
  }

  @Test
  void everyServerVmConformsToKubevirtsApi() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 5, 2, List.of("tcp")));
    assertThat(filesystem.getStatus().servers()).hasSize(5);
    for (ServerStatus server : filesystem.getStatus().servers()) {
      GenericKubernetesResource vm = ServerVirtualMachines.build(filesystem, server, targetsOf(filesystem, server), 9443);
      assertThat(kubevirt.validate(vm, "v1.VirtualMachine")).as(server.name()).isEmpty();
    }
  }

  /** A rolling upgrade builds a server's VM with the image the rollout allows it, and reads back what a VM or an instance boots. */
  @Test
  void aVmBootsTheImageItIsBuiltWithAndTheImageIsReadBackFromItsTemplate() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    GenericKubernetesResource held = ServerVirtualMachines.build(filesystem, oss, targetsOf(filesystem, oss), 9443, "example.org/old:1");
    assertThat(kubevirt.validate(held, "v1.VirtualMachine")).isEmpty();
    assertThat(ServerVirtualMachines.templateImage(held)).contains("example.org/old:1");
    assertThat(ServerVirtualMachines.templateImage(ServerVirtualMachines.build(filesystem, oss, targetsOf(filesystem, oss), 9443)))
        .contains(filesystem.getSpec().serverImage());
    assertThat(ServerVirtualMachines.templateImage(null)).isEmpty();
  }

  @Test
  void thePodNetworkForwardsOnlyTheAgentAndItsMetricsIntoTheVm() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    GenericKubernetesResource vm = ServerVirtualMachines.build(filesystem, filesystem.getStatus().servers().get(2),
        targetsOf(filesystem, filesystem.getStatus().servers().get(2)), 9443);
    String json = Serialization.asJson(vm.getAdditionalProperties().get("spec"));
    assertThat(json).contains("{\"name\":\"default\",\"masquerade\":{},\"ports\":[{\"name\":\"agent\",\"port\":9443,\"protocol\":\"TCP\"},"
        + "{\"name\":\"metrics\",\"port\":" + ServerSetup.AGENT_METRICS_PORT + ",\"protocol\":\"TCP\"}]}");
  }

  @Test
  void theValidatorCatchesWhatKubevirtWouldRefuse() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    GenericKubernetesResource vm = ServerVirtualMachines.build(filesystem, oss, targetsOf(filesystem, oss), 9443);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) vm.getAdditionalProperties().get("spec");
    spec.put("running", "yes");
    spec.put("replicas", 2);
    assertThat(kubevirt.validate(vm, "v1.VirtualMachine"))
        .containsExactlyInAnyOrder("$.spec.running: must be a boolean", "$.spec.replicas: unknown field");
  }

  @Test
  void ossVmCarriesItsOstDisksByIndexTheStorageNetworkAndOwnerReference() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    GenericKubernetesResource vm = ServerVirtualMachines.build(filesystem, oss, targetsOf(filesystem, oss), 9443);
    String yaml = Serialization.asYaml(vm);

    assertThat(vm.getMetadata().getName()).isEqualTo("fs1-oss0");
    assertThat(vm.getMetadata().getLabels()).containsEntry("lustre.csi.lustrecsi.dev/filesystem", "fs1")
        .containsEntry("lustre.csi.lustrecsi.dev/role", "oss");
    assertThat(vm.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("LustreFilesystem"));
    assertThat(yaml).contains("runStrategy: \"Always\"", "evictionStrategy: \"None\"", "serial: \"ost0000\"",
        "serial: \"ost0001\"", "claimName: \"fs1-ost0001\"", "hotpluggable: true", "networkName: \"lustre/lnet\"",
        "macAddress: \"02:6c:0a:01:00:0c\"", "bridge: {}", "image: \"example.org/lustre-server:2.16.1\"");
  }

  @Test
  void rdmaFilesystemsUseSriovForTheStorageNetwork() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp", "o2ib")));
    ServerStatus mgs = filesystem.getStatus().servers().getFirst();
    GenericKubernetesResource vm = ServerVirtualMachines.build(filesystem, mgs, targetsOf(filesystem, mgs), 9443);
    assertThat(kubevirt.validate(vm, "v1.VirtualMachine")).isEmpty();
    String yaml = Serialization.asYaml(vm);
    assertThat(yaml).contains("sriov: {}").doesNotContain("bridge:");
  }

  @Test
  void cloudInitConfiguresTheServerFromItsStatus() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 3, 2, List.of("tcp", "o2ib")));
    ServerStatus mgs = filesystem.getStatus().servers().get(0);
    ServerStatus oss1 = filesystem.getStatus().servers().get(3);
    Secret secret = ServerVirtualMachines.cloudInit(filesystem, oss1, mgs, 9443);

    String userData = decode(secret, "userdata");
    assertThat(secret.getMetadata().getName()).isEqualTo("fs1-oss1-cloudinit");
    assertThat(userData).startsWith("#cloud-config\n")
        .contains("FSNAME='fs1'", "ROLE='oss'", "MGS_NIDS='10.1.0.10@tcp,10.1.0.10@o2ib'",
            "LNET_NETS='tcp0:lnet0 o2ib0:lnet0'",
            // Only options every released agent knows: this user data is rewritten for servers still
            // on an older image (ServerSetup.SETUP_PROBLEMS says why), so a new option is a default instead.
            "lustre-csi agent --listen 0.0.0.0:9443 --tls-dir /etc/lustre-csi/tls --metrics-address :"
                + ServerSetup.AGENT_METRICS_PORT, "LEGACY_HOSTID='0a01000d'")
        // The script finds its targets among the disks attached now, not in settings written at boot.
        .doesNotContain("--client-mount", "TARGETS=");
    assertThat(decode(secret, "networkdata")).contains("macaddress: '02:6c:0a:01:00:0d'", "addresses: ['10.1.0.13/24']");
    ServerStatus mds = filesystem.getStatus().servers().get(1);
    assertThat(decode(ServerVirtualMachines.cloudInit(filesystem, mds, mgs, 9443), "userdata"))
        .contains("--client-mount /lustre/client/fs1");
  }

  @Test
  void targetDisksAreBlockPvcsKeptOrDeletedByTheRetentionPolicy() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    TargetStatus ost = filesystem.getStatus().targets().get(2);
    PersistentVolumeClaim claim = Serialization.unmarshal(Serialization.asYaml(TargetDisks.build(filesystem, ost)), PersistentVolumeClaim.class);

    assertThat(claim.getMetadata().getName()).isEqualTo("fs1-ost0000");
    assertThat(claim.getSpec().getVolumeMode()).isEqualTo("Block");
    assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("1Ti");
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-block");
    assertThat(claim.getMetadata().getOwnerReferences()).as("Retain is the default: no owner, no cascading delete").isEmpty();

    filesystem.setSpec(new dev.lustrecsi.controller.filesystem.LustreFilesystemSpec("fs1", "img", null, null, "1Ti", 1, 1, 16, 1.0,
        null, null, null, List.of("tcp"), filesystem.getSpec().storageNetwork(), "Delete"));
    assertThat(TargetDisks.build(filesystem, ost).getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(TargetDisks.build(filesystem, filesystem.getStatus().targets().get(1)).getSpec().getResources().getRequests()
        .get("storage").toString()).isEqualTo("64Gi");
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
