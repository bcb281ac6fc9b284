package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A namespace of its own for one test. Closing it deletes the namespace and then waits until the
 * volumes and snapshot contents made in it are gone from the cluster too: a driver that leaks a
 * volume on delete fails the test that made it, not a later one.
 */
final class TestNamespace implements AutoCloseable {
  static final String RUN_LABEL = "lustre-e2e/run";
  static final ResourceDefinitionContext SNAPSHOT_CONTENTS = new ResourceDefinitionContext.Builder()
      .withGroup("snapshot.storage.k8s.io").withVersion("v1").withKind("VolumeSnapshotContent").withPlural("volumesnapshotcontents")
      .withNamespaced(false).build();

  private final KubernetesClient client;
  private final E2eSettings settings;
  private final String name;

  private TestNamespace(KubernetesClient client, E2eSettings settings, String name) {
    this.client = client;
    this.settings = settings;
    this.name = name;
  }

  /** {@code lustre-e2e-RUN-SCENARIO}, labelled with the run so that a run's leftovers can be found by label. */
  static TestNamespace create(KubernetesClient client, E2eSettings settings, String runId, String scenario) {
    String name = ("lustre-e2e-" + runId + "-" + scenario).toLowerCase(Locale.ROOT);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
        .addToLabels(RUN_LABEL, runId).endMetadata().build()).create();
    return new TestNamespace(client, settings, name);
  }

  String name() {
    return name;
  }

  Pods pods() {
    return new Pods(client, name, settings);
  }

  Claims claims() {
    return new Claims(client, name, settings);
  }

  VolumeSnapshots snapshots() {
    return new VolumeSnapshots(client, name, settings);
  }

  String events() {
    return EventLog.recent(client, name, null);
  }

  @Override
  public void close() {
    if (settings.keepNamespaces()) {
      System.err.println("e2e.keepNamespaces: leaving namespace " + name + " and its volumes in place");
      return;
    }
    // Named before the namespace goes: once the claims are deleted nothing links the PVs to this test.
    List<String> volumes = client.persistentVolumes().list().getItems().stream()
        .filter(pv -> pv.getSpec().getClaimRef() != null && name.equals(pv.getSpec().getClaimRef().getNamespace()))
        .map(pv -> pv.getMetadata().getName()).toList();
    List<String> contents = snapshotContentsToBeDeleted();
    client.namespaces().withName(name).delete();
    Wait.forThat("namespace " + name + " to be deleted, with its volumes " + volumes + " and snapshot contents " + contents,
            settings.cleanUp())
        .withDiagnostics(() -> EventLog.recent(client, settings.driverNamespace(), null))
        .until(this::leftovers, List::isEmpty, left -> "still there: " + left);
  }

  private List<String> leftovers() {
    List<String> left = new ArrayList<>();
    if (client.namespaces().withName(name).get() != null) {
      left.add("namespace " + name);
    }
    client.persistentVolumes().list().getItems().stream()
        .filter(pv -> pv.getSpec().getClaimRef() != null && name.equals(pv.getSpec().getClaimRef().getNamespace()))
        .forEach(pv -> left.add("PV " + pv.getMetadata().getName() + " (" + pv.getStatus().getPhase() + ")"));
    snapshotContentsToBeDeleted().forEach(content -> left.add("VolumeSnapshotContent " + content));
    return left;
  }

  /** Contents of this namespace's snapshots whose deletion policy says the driver deletes them. */
  private List<String> snapshotContentsToBeDeleted() {
    List<GenericKubernetesResource> all;
    try {
      all = client.genericKubernetesResources(SNAPSHOT_CONTENTS).list().getItems();
    } catch (KubernetesClientException e) {
      // No snapshot CRDs on this cluster: no snapshot test ran, nothing to wait for.
      return List.of();
    }
    return all.stream()
        .filter(content -> content.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
            && "Delete".equals(spec.get("deletionPolicy"))
            && spec.get("volumeSnapshotRef") instanceof Map<?, ?> ref && name.equals(ref.get("namespace")))
        .map(content -> content.getMetadata().getName()).toList();
  }
}
