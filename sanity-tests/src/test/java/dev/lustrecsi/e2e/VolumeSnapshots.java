package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;

/** VolumeSnapshots of one namespace, through the generic client: fabric8's snapshot model is not on the class path. */
final class VolumeSnapshots {
  static final ResourceDefinitionContext SNAPSHOTS = new ResourceDefinitionContext.Builder()
      .withGroup("snapshot.storage.k8s.io").withVersion("v1").withKind("VolumeSnapshot").withPlural("volumesnapshots")
      .withNamespaced(true).build();

  private final KubernetesClient client;
  private final String namespace;
  private final E2eSettings settings;

  VolumeSnapshots(KubernetesClient client, String namespace, E2eSettings settings) {
    this.client = client;
    this.namespace = namespace;
    this.settings = settings;
  }

  void create(String name, String claim) {
    GenericKubernetesResource snapshot = new GenericKubernetesResourceBuilder()
        .withApiVersion("snapshot.storage.k8s.io/v1").withKind("VolumeSnapshot")
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .addToAdditionalProperties("spec", Map.of(
            "volumeSnapshotClassName", settings.snapshotClass(),
            "source", Map.of("persistentVolumeClaimName", claim)))
        .build();
    client.genericKubernetesResources(SNAPSHOTS).inNamespace(namespace).resource(snapshot).create();
  }

  /** Waits for readyToUse; a snapshot the driver refused says why in status.error. */
  GenericKubernetesResource awaitReady(String name) {
    return Wait.forThat("VolumeSnapshot " + name + " to be readyToUse", settings.provisioning())
        .withDiagnostics(() -> EventLog.recent(client, namespace, name))
        .until(() -> client.genericKubernetesResources(SNAPSHOTS).inNamespace(namespace).withName(name).get(),
            snapshot -> Boolean.TRUE.equals(snapshot.get("status", "readyToUse")),
            snapshot -> "status " + snapshot.getAdditionalProperties().get("status"));
  }
}
