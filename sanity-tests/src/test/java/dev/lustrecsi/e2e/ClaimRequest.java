package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * A PVC the suite asks for.
 *
 * @param source where its content comes from, or null for an empty volume
 */
record ClaimRequest(String name, String storageClass, String size, String accessMode, DataSource source) {
  /** A PVC's {@code dataSource}: a VolumeSnapshot (restore) or another PVC (clone). */
  record DataSource(String kind, String apiGroup, String name) {
    static DataSource snapshot(String name) {
      return new DataSource("VolumeSnapshot", "snapshot.storage.k8s.io", name);
    }

    /** A clone's source is a core object, which Kubernetes wants without an apiGroup. */
    static DataSource claim(String name) {
      return new DataSource("PersistentVolumeClaim", null, name);
    }
  }

  static ClaimRequest shared(String name, String storageClass, String size) {
    return new ClaimRequest(name, storageClass, size, "ReadWriteMany", null);
  }

  ClaimRequest from(DataSource dataSource) {
    return new ClaimRequest(name, storageClass, size, accessMode, dataSource);
  }

  ClaimRequest accessMode(String mode) {
    return new ClaimRequest(name, storageClass, size, mode, source);
  }

  PersistentVolumeClaim toClaim(String namespace) {
    var spec = new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec().withStorageClassName(storageClass).withAccessModes(accessMode)
        .withNewResources().addToRequests("storage", new Quantity(size)).endResources();
    if (source != null) {
      spec.withNewDataSource().withKind(source.kind()).withApiGroup(source.apiGroup()).withName(source.name()).endDataSource();
    }
    return spec.endSpec().build();
  }
}
