package dev.lustrecsi.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * NEEDS A REAL CLUSTER: Kubernetes with KubeVirt, Multus, a block StorageClass, the Lustre client
 * on the nodes and the driver installed with Helm (docs/install.md). Skipped unless
 * {@code -De2e.kubeconfig=PATH} is given:
 *
 * <pre>
 * ./mvnw -pl sanity-tests -am verify -De2e.kubeconfig=$HOME/.kube/config \
 *     -De2e.storageClass=lustre-scratch -De2e.driverNamespace=lustre-csi -De2e.image=busybox:1.36
 * </pre>
 *
 * What a user does, in order: a PVC of the driver's StorageClass, a pod that writes to it and sees
 * the PVC's size in df, an expansion, a server VM killed under it (KubeVirt restarts it; the data
 * is still there), a VolumeSnapshot of it, a PVC restored from the snapshot and a clone of the PVC
 * (each holding the data of its moment), and clean-up. It runs in a fresh namespace that it
 * deletes at the end. The snapshot steps need the cluster's snapshot CRDs and snapshot-controller,
 * and a VolumeSnapshotClass of the driver ({@code -De2e.snapshotClass}, default lustre-snapshots).
 */
@EnabledIfSystemProperty(named = "e2e.kubeconfig", matches = ".+",
    disabledReason = "needs a real cluster with KubeVirt and the driver installed: pass -De2e.kubeconfig=PATH")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterEndToEndTest {
  private static final Duration PROVISIONING = Duration.ofMinutes(15);  // server VMs boot and format on first use
  private static final ResourceDefinitionContext FILESYSTEMS = new ResourceDefinitionContext.Builder()
      .withGroup("lustre.csi.lustrecsi.dev").withVersion("v1alpha1").withKind("LustreFilesystem").withPlural("lustrefilesystems")
      .withNamespaced(true).build();
  private static final ResourceDefinitionContext SNAPSHOTS = new ResourceDefinitionContext.Builder()
      .withGroup("snapshot.storage.k8s.io").withVersion("v1").withKind("VolumeSnapshot").withPlural("volumesnapshots")
      .withNamespaced(true).build();
  private static final ResourceDefinitionContext VMIS = new ResourceDefinitionContext.Builder()
      .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances")
      .withNamespaced(true).build();

  private static KubernetesClient client;
  private static String namespace;
  private static final String STORAGE_CLASS = System.getProperty("e2e.storageClass", "lustre-scratch");
  private static final String DRIVER_NAMESPACE = System.getProperty("e2e.driverNamespace", "lustre-csi");
  private static final String IMAGE = System.getProperty("e2e.image", "busybox:1.36");
  private static final String SNAPSHOT_CLASS = System.getProperty("e2e.snapshotClass", "lustre-snapshots");

  @BeforeAll
  static void connect() throws Exception {
    client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(Path.of(System.getProperty("e2e.kubeconfig"))))).build();
    namespace = "lustre-e2e-" + UUID.randomUUID().toString().substring(0, 8);
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(namespace)
        .endMetadata().build()).create();
  }

  @AfterAll
  static void cleanUp() {
    if (client != null) {
      client.namespaces().withName(namespace).delete();
      client.close();
    }
  }

  private static Pod writerPod(String name, String command) {
    return podOn("results", name, command);
  }

  private static Pod podOn(String claimName, String name, String command) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().withRestartPolicy("Never")
        .addNewContainer().withName("work").withImage(IMAGE).withCommand("sh", "-c", command)
        .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endContainer()
        .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(claimName).endPersistentVolumeClaim().endVolume()
        .endSpec().build();
  }

  private static String runToCompletion(Pod pod) {
    client.pods().inNamespace(namespace).resource(pod).create();
    Awaitility.await().atMost(PROVISIONING).pollInterval(Duration.ofSeconds(5)).until(() -> {
      Pod current = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).get();
      return current != null && current.getStatus() != null && "Succeeded".equals(current.getStatus().getPhase());
    });
    String log = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).getLog();
    client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).delete();
    return log;
  }

  @Test
  @Order(1)
  void aPvcBecomesAVolumeWhosePodSeesItsSizeInDf() {
    PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder().withNewMetadata().withName("results").withNamespace(namespace)
        .endMetadata().withNewSpec().withStorageClassName(STORAGE_CLASS).withAccessModes("ReadWriteMany")
        .withNewResources().addToRequests("storage", new Quantity("10Gi")).endResources().endSpec().build();
    client.persistentVolumeClaims().inNamespace(namespace).resource(claim).create();

    String log = runToCompletion(writerPod("writer", "echo folding-results > /data/result.txt && df -k /data"));

    assertThat(log).as("df shows the 10 GiB project quota as the size").containsPattern("\\s10485760\\s");
    assertThat(client.persistentVolumeClaims().inNamespace(namespace).withName("results").get().getStatus().getPhase()).isEqualTo("Bound");
    assertThat(client.genericKubernetesResources(FILESYSTEMS).inNamespace(DRIVER_NAMESPACE).list().getItems())
        .anySatisfy(fs -> assertThat(((Map<?, ?>) fs.getAdditionalProperties().get("status")).get("phase")).isEqualTo("Ready"));
  }

  @Test
  @Order(2)
  void expandingThePvcGrowsWhatDfShowsWithoutARemount() {
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(namespace).withName("results").get();
    claim.getSpec().getResources().getRequests().put("storage", new Quantity("20Gi"));
    client.persistentVolumeClaims().inNamespace(namespace).resource(claim).update();
    Awaitility.await().atMost(PROVISIONING).pollInterval(Duration.ofSeconds(5)).until(() -> {
      var status = client.persistentVolumeClaims().inNamespace(namespace).withName("results").get().getStatus();
      return status.getCapacity() != null && new Quantity("20Gi").equals(status.getCapacity().get("storage"));
    });
    assertThat(runToCompletion(writerPod("df-after-expand", "df -k /data"))).containsPattern("\\s20971520\\s");
  }

  @Test
  @Order(3)
  void anOssVmKilledUnderTheVolumeComesBackWithItsData() {
    GenericKubernetesResource oss = client.genericKubernetesResources(VMIS).inNamespace(DRIVER_NAMESPACE).list().getItems().stream()
        .filter(vmi -> "oss".equals(vmi.getMetadata().getLabels().get("lustre.csi.lustrecsi.dev/role"))).findFirst().orElseThrow();
    client.genericKubernetesResources(VMIS).inNamespace(DRIVER_NAMESPACE).withName(oss.getMetadata().getName()).delete();

    Awaitility.await().atMost(PROVISIONING).pollInterval(Duration.ofSeconds(5)).until(() ->
        client.genericKubernetesResources(FILESYSTEMS).inNamespace(DRIVER_NAMESPACE).list().getItems().stream()
            .allMatch(fs -> "Ready".equals(((Map<?, ?>) fs.getAdditionalProperties().get("status")).get("phase"))));
    assertThat(runToCompletion(writerPod("reader", "cat /data/result.txt"))).contains("folding-results");
  }

  /** A PVC of the StorageClass whose content comes from a VolumeSnapshot or another PVC. */
  private static void claimFrom(String name, String kind, String apiGroup, String source) {
    PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .endMetadata().withNewSpec().withStorageClassName(STORAGE_CLASS).withAccessModes("ReadWriteMany")
        .withNewResources().addToRequests("storage", new Quantity("20Gi")).endResources()
        .withNewDataSource().withKind(kind).withApiGroup(apiGroup.isEmpty() ? null : apiGroup).withName(source).endDataSource().endSpec().build();
    client.persistentVolumeClaims().inNamespace(namespace).resource(claim).create();
  }

  @Test
  @Order(4)
  void aVolumeSnapshotOfThePvcBecomesReadyToUse() {
    GenericKubernetesResource snapshot = new GenericKubernetesResource();
    snapshot.setApiVersion("snapshot.storage.k8s.io/v1");
    snapshot.setKind("VolumeSnapshot");
    snapshot.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("results-before").withNamespace(namespace).build());
    snapshot.setAdditionalProperty("spec", Map.of("volumeSnapshotClassName", SNAPSHOT_CLASS,
        "source", Map.of("persistentVolumeClaimName", "results")));
    client.genericKubernetesResources(SNAPSHOTS).inNamespace(namespace).resource(snapshot).create();

    Awaitility.await().atMost(PROVISIONING).pollInterval(Duration.ofSeconds(5)).until(() -> {
      GenericKubernetesResource current = client.genericKubernetesResources(SNAPSHOTS).inNamespace(namespace).withName("results-before").get();
      return current.getAdditionalProperties().get("status") instanceof Map<?, ?> status && Boolean.TRUE.equals(status.get("readyToUse"));
    });
    runToCompletion(writerPod("overwrite", "echo changed-after-snapshot > /data/result.txt"));
  }

  @Test
  @Order(5)
  void aPvcRestoredFromTheSnapshotHoldsTheDataOfThatMoment() {
    claimFrom("restored", "VolumeSnapshot", "snapshot.storage.k8s.io", "results-before");
    assertThat(runToCompletion(podOn("restored", "read-restored", "cat /data/result.txt && df -k /data")))
        .contains("folding-results").doesNotContain("changed-after-snapshot").containsPattern("\\s20971520\\s");
  }

  @Test
  @Order(6)
  void aCloneOfThePvcHoldsItsCurrentData() {
    claimFrom("cloned", "PersistentVolumeClaim", "", "results");
    assertThat(runToCompletion(podOn("cloned", "read-clone", "cat /data/result.txt"))).contains("changed-after-snapshot");
    runToCompletion(podOn("cloned", "write-clone", "echo clone-only > /data/result.txt"));
    assertThat(runToCompletion(writerPod("source-untouched", "cat /data/result.txt"))).contains("changed-after-snapshot");
  }

  @Test
  @Order(7)
  void deletingThePvcRemovesTheVolume() {
    String volume = client.persistentVolumeClaims().inNamespace(namespace).withName("results").get().getSpec().getVolumeName();
    client.persistentVolumeClaims().inNamespace(namespace).withName("results").delete();
    Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(5))
        .until(() -> client.persistentVolumes().withName(volume).get() == null);
  }
}
