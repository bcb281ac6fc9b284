package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The plain manifests in deploy/examples parse, and agree with the chart's examples. */
class ManifestExamplesTest {
  /** Kinds of other projects' CRDs the examples may use (fabric8 has no model for them). */
  static final Set<String> CUSTOM_KINDS = Set.of("k8s.cni.cncf.io/v1/NetworkAttachmentDefinition",
      "snapshot.storage.k8s.io/v1/VolumeSnapshotClass", "snapshot.storage.k8s.io/v1/VolumeSnapshot",
      "groupsnapshot.storage.k8s.io/v1beta1/VolumeGroupSnapshotClass", "groupsnapshot.storage.k8s.io/v1beta1/VolumeGroupSnapshot");

  @Test
  void everyExampleParsesIntoKnownKinds() throws IOException {
    try (Stream<Path> files = Files.list(RepoLayout.manifestExamples())) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        assertThat(Rendered.parse(Files.readString(file), CUSTOM_KINDS).objects()).as(file.getFileName().toString())
            .isNotEmpty();
      }
    }
  }

  @Test
  void storageNetworkIsABridgeWithStaticAddressing() throws IOException {
    Rendered nad = Rendered.parse(Files.readString(RepoLayout.manifestExamples().resolve("storage-network-nad.yaml")),
        CUSTOM_KINDS);
    GenericKubernetesResource resource = nad.one(GenericKubernetesResource.class);
    assertThat(resource.getKind()).isEqualTo("NetworkAttachmentDefinition");
    Object config = ((Map<?, ?>) resource.getAdditionalProperties().get("spec")).get("config");
    JsonNode cni = new ObjectMapper().readTree((String) config);
    assertThat(cni.path("type").asText()).isEqualTo("bridge");
    assertThat(cni.path("ipam").path("type").asText()).isEqualTo("static");
    assertThat(cni.path("name").asText()).isEqualTo(resource.getMetadata().getName());
  }

  @Test
  void examplePvcUsesAStorageClassTheTcpExampleCreates() throws IOException {
    Rendered examples = Rendered.parse(Files.readString(RepoLayout.manifestExamples().resolve("pvc.yaml")));
    PersistentVolumeClaim claim = examples.one(PersistentVolumeClaim.class);
    Rendered chart = ChartRenderer.render(RepoLayout.chartExamples().resolve("tcp.yaml"), Map.of());
    assertThat(chart.all(StorageClass.class)).extracting(sc -> sc.getMetadata().getName())
        .contains(claim.getSpec().getStorageClassName());
    Pod pod = examples.one(Pod.class);
    assertThat(pod.getSpec().getVolumes()).anySatisfy(v ->
        assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(claim.getMetadata().getName()));
  }

  @Test
  void exampleSnapshotIsOfTheExamplePvcWithAClassOfThisDriver() throws IOException {
    Rendered snapshot = Rendered.parse(Files.readString(RepoLayout.manifestExamples().resolve("snapshot.yaml")), CUSTOM_KINDS);
    PersistentVolumeClaim claim = Rendered.parse(Files.readString(RepoLayout.manifestExamples().resolve("pvc.yaml")))
        .one(PersistentVolumeClaim.class);
    List<GenericKubernetesResource> objects = snapshot.all(GenericKubernetesResource.class);
    assertThat(objects).extracting(GenericKubernetesResource::getKind).containsExactly("VolumeSnapshotClass", "VolumeSnapshot");
    assertThat(objects.get(0).getAdditionalProperties().get("driver")).isEqualTo(dev.lustrecsi.common.identity.PluginInfo.DRIVER_NAME);
    Map<?, ?> spec = (Map<?, ?>) objects.get(1).getAdditionalProperties().get("spec");
    assertThat(spec.get("volumeSnapshotClassName")).isEqualTo(objects.get(0).getMetadata().getName());
    assertThat(((Map<?, ?>) spec.get("source")).get("persistentVolumeClaimName")).isEqualTo(claim.getMetadata().getName());
  }

  @Test
  void exampleRestoreAndCloneComeFromTheExampleSnapshotAndPvcAndAreNoSmaller() throws IOException {
    Rendered snapshot = Rendered.parse(Files.readString(RepoLayout.manifestExamples().resolve("snapshot.yaml")), CUSTOM_KINDS);
    PersistentVolumeClaim source = Rendered.parse(Files.readString(RepoLayout.manifestExamples().resolve("pvc.yaml")))
        .one(PersistentVolumeClaim.class);
    List<PersistentVolumeClaim> claims = Rendered.parse(Files.readString(RepoLayout.manifestExamples().resolve("restore-and-clone.yaml")))
        .all(PersistentVolumeClaim.class);
    String snapshotName = snapshot.all(GenericKubernetesResource.class).get(1).getMetadata().getName();

    assertThat(claims).extracting(c -> c.getSpec().getDataSource().getKind() + "/" + c.getSpec().getDataSource().getName())
        .containsExactly("VolumeSnapshot/" + snapshotName, "PersistentVolumeClaim/" + source.getMetadata().getName());
    assertThat(claims.get(0).getSpec().getDataSource().getApiGroup()).isEqualTo("snapshot.storage.k8s.io");
    assertThat(claims).allSatisfy(claim -> {
      assertThat(claim.getSpec().getStorageClassName()).isEqualTo(source.getSpec().getStorageClassName());
      assertThat(claim.getSpec().getResources().getRequests().get("storage").getNumericalAmount())
          .isGreaterThanOrEqualTo(source.getSpec().getResources().getRequests().get("storage").getNumericalAmount());
    });
  }
}
