package dev.lustrecsi.controller.snapshot.kubernetes;

import dev.lustrecsi.controller.snapshot.SnapshotRecord;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The controller's snapshot records: one LustreSnapshot object per CSI snapshot in the driver's
 * namespace. Unlike the volume records these are read from the API server on each call, not from
 * a cache: snapshot calls are rare and each takes a filesystem-wide barrier anyway, and reading
 * the server means a record written a moment ago is always seen.
 */
public final class KubernetesSnapshotJournal {
  private static final int MAX_WRITE_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final String namespace;

  public KubernetesSnapshotJournal(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The record stored under this object name. */
  public Optional<SnapshotRecord> get(String objectName) {
    return Optional.ofNullable(objects().withName(objectName).get()).map(SnapshotObjects::toRecord);
  }

  /** Every record, sorted by snapshot id. */
  public List<SnapshotRecord> all() {
    return objects().list().getItems().stream().map(SnapshotObjects::toRecord)
        .sorted(Comparator.comparing(r -> r.id().toString()))
        .toList();
  }

  /** Writes the record, created or over the one stored; a record of another CSI name under the same object name is refused. */
  public void put(SnapshotRecord snapshot) {
    LustreSnapshot desired = SnapshotObjects.toObject(snapshot, namespace);
    String name = desired.getMetadata().getName();
    for (int attempt = 1; ; attempt++) {
      LustreSnapshot current = objects().withName(name).get();
      try {
        if (current == null) {
          objects().resource(desired).create();
        } else {
          if (!current.getSpec().name().equals(snapshot.name())) {
            throw new IllegalStateException("LustreSnapshot " + name + " already records snapshot " + current.getSpec().name());
          }
          desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
          objects().resource(desired).update();
        }
        return;
      } catch (KubernetesClientException e) {
        boolean raced = e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND;
        if (!raced || attempt >= MAX_WRITE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * Writes {@code updated} only if the stored record is still {@code expected}, and nobody writes
   * it between the read and the write: unlike {@link #put}, a stale write is not retried over the
   * newer one. Returns whether it was written. Of a controller withdrawing an abandoned snapshot
   * and one serving a CreateSnapshot that has just asked for it again, the second writer loses.
   */
  public boolean replace(SnapshotRecord expected, SnapshotRecord updated) {
    LustreSnapshot current = objects().withName(expected.id().record()).get();
    if (current == null || !SnapshotObjects.toRecord(current).equals(expected)) {
      return false;
    }
    LustreSnapshot desired = SnapshotObjects.toObject(updated, namespace);
    desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
    try {
      objects().resource(desired).update();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** Removes the record; an absent one is not an error. */
  public void remove(SnapshotRecord snapshot) {
    objects().withName(snapshot.id().record()).delete();
  }

  private NonNamespaceOperation<LustreSnapshot, KubernetesResourceList<LustreSnapshot>, Resource<LustreSnapshot>> objects() {
    return client.resources(LustreSnapshot.class).inNamespace(namespace);
  }
}
