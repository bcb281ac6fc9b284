package dev.lustrecsi.controller.volume.kubernetes;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.volume.CommittedCapacity;
import dev.lustrecsi.controller.volume.VolumeRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The controller's volume records: one LustreVolume object per volume in the driver's
 * namespace, so they survive the controller pod and are shared by its replicas. A write returns
 * once the API server has stored it. (What a filesystem is, and its project-id mark, live in its
 * LustreFilesystem resource.)
 *
 * <p>Reads come from an informer's cache with indexes by CSI name and volume id, so CreateVolume's
 * lookups make no API call. Writes go to the API server; a successful write is also kept in a
 * local overlay until the informer has caught up with it, so this controller always reads its
 * own writes.
 *
 * <p>The capacity committed per filesystem follows that same view ({@link #capacity()}): after
 * each change to it, of this journal's own or delivered by the informer, the volume's count is
 * taken again from what the view holds then.
 */
public final class KubernetesVolumeJournal implements AutoCloseable {
  static final String BY_NAME = "csiName";
  static final String BY_ID = "volumeId";
  private static final int MAX_VOLUME_WRITE_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final String namespace;
  private final SharedIndexInformer<LustreVolume> informer;
  /** This journal's writes the informer may not have delivered yet: object name to record, or empty for a removal. */
  private final ConcurrentMap<String, Written> overlay = new ConcurrentHashMap<>();
  private final CommittedCapacity capacity = new CommittedCapacity();

  private record Written(Optional<VolumeRecord> record, String resourceVersion) {}

  private KubernetesVolumeJournal(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    this.informer = objects().runnableInformer(0);
    informer.addIndexers(Map.of(
        BY_NAME, v -> List.of(v.getSpec().name()),
        BY_ID, v -> List.of(idOf(v).toString())));
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(LustreVolume volume) {
        caughtUp(volume);
        account(volume.getSpec().name());
      }

      @Override
      public void onUpdate(LustreVolume old, LustreVolume volume) {
        caughtUp(volume);
        account(volume.getSpec().name());
      }

      @Override
      public void onDelete(LustreVolume volume, boolean finalStateUnknown) {
        overlay.computeIfPresent(volume.getMetadata().getName(), (name, written) -> written.record().isEmpty() ? null : written);
        account(volume.getSpec().name());
      }
    });
  }

  /** Starts a journal and returns once its cache holds every LustreVolume in the namespace. */
  public static KubernetesVolumeJournal start(KubernetesClient client, String namespace) {
    KubernetesVolumeJournal journal = new KubernetesVolumeJournal(client, namespace);
    try {
      journal.informer.start().toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      journal.close();
      throw new IllegalStateException("interrupted while loading volume records", e);
    } catch (ExecutionException | TimeoutException e) {
      journal.close();
      throw new IllegalStateException("cannot load the LustreVolumes of namespace " + namespace, e);
    }
    // The informer's handlers may not have seen every object of its first list yet.
    journal.informer.getStore().list().forEach(v -> journal.account(v.getSpec().name()));
    return journal;
  }

  @Override
  public void close() {
    informer.stop();
  }

  /** The volume CreateVolume named {@code name}. */
  public Optional<VolumeRecord> byName(String name) {
    Written written = overlay.get(VolumeObjects.objectName(name));
    if (written != null) {
      return written.record();
    }
    return informer.getIndexer().byIndex(BY_NAME, name).stream().findFirst().map(VolumeObjects::toRecord);
  }

  public Optional<VolumeRecord> byId(VolumeId id) {
    Optional<Written> pending = overlay.values().stream()
        .filter(w -> w.record().isPresent() && w.record().get().id().equals(id))
        .findFirst();
    if (pending.isPresent()) {
      return pending.get().record();
    }
    return informer.getIndexer().byIndex(BY_ID, id.toString()).stream()
        .filter(v -> !overlay.containsKey(v.getMetadata().getName()))
        .findFirst()
        .map(VolumeObjects::toRecord);
  }

  /** Every volume, sorted by volume id. */
  public List<VolumeRecord> volumes() {
    Map<String, VolumeRecord> all = new java.util.HashMap<>();
    for (LustreVolume volume : informer.getStore().list()) {
      all.put(volume.getMetadata().getName(), VolumeObjects.toRecord(volume));
    }
    overlay.forEach((name, written) -> written.record().ifPresentOrElse(r -> all.put(name, r), () -> all.remove(name)));
    List<VolumeRecord> sorted = new ArrayList<>(all.values());
    sorted.sort(VolumeObjects.BY_ID);
    return sorted;
  }

  /**
   * Writes the volume's record: created, or written over the one stored. The write names the
   * resourceVersion this journal last saw, so it needs no read first. When someone else wrote or
   * removed the record in between, it reads it and writes again: for one volume the last writer
   * wins (an old leader finishing a call and the new one redo the same idempotent steps).
   */
  public void put(VolumeRecord volume) {
    LustreVolume desired = VolumeObjects.toObject(volume, namespace);
    String name = desired.getMetadata().getName();
    String known = lastKnownVersion(name);
    for (int attempt = 1; ; attempt++) {
      try {
        LustreVolume stored;
        if (known == null) {
          stored = objects().resource(desired).create();
        } else {
          desired.getMetadata().setResourceVersion(known);
          stored = objects().resource(desired).update();
        }
        overlay.put(name, new Written(Optional.of(volume), stored.getMetadata().getResourceVersion()));
        settle(name);
        account(volume.name());
        return;
      } catch (KubernetesClientException e) {
        boolean stale = e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND;
        if (!stale || attempt >= MAX_VOLUME_WRITE_ATTEMPTS) {
          throw e;
        }
        LustreVolume current = objects().withName(name).get();
        if (current != null && !current.getSpec().name().equals(volume.name())) {
          throw new IllegalStateException("LustreVolume " + name + " already records volume " + current.getSpec().name());
        }
        known = current == null ? null : current.getMetadata().getResourceVersion();
      }
    }
  }

  /**
   * Writes {@code updated} only if the stored record is still {@code expected} as this journal
   * last saw it, and nobody has written it since: unlike {@link #put}, a stale write is not
   * retried over the newer one. Returns whether it was written. This is how two controllers
   * decide who acts on a volume neither holds a lock on (one withdrawing it as abandoned, the
   * other serving a CreateVolume that has just asked for it again): the second writer loses.
   */
  public boolean replace(VolumeRecord expected, VolumeRecord updated) {
    String name = VolumeObjects.objectName(expected.name());
    Optional<Written> seen = lastSeen(name);
    if (seen.isEmpty() || !seen.get().record().equals(Optional.of(expected))) {
      return false;
    }
    LustreVolume desired = VolumeObjects.toObject(updated, namespace);
    desired.getMetadata().setResourceVersion(seen.get().resourceVersion());
    try {
      LustreVolume stored = objects().resource(desired).update();
      overlay.put(name, new Written(Optional.of(updated), stored.getMetadata().getResourceVersion()));
      settle(name);
      account(updated.name());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT || e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** The record of an object and its version, read once from this journal's own write or else the cache; empty when absent. */
  private Optional<Written> lastSeen(String name) {
    Written written = overlay.get(name);
    if (written != null) {
      return written.record().isPresent() ? Optional.of(written) : Optional.empty();
    }
    LustreVolume cached = informer.getStore().getByKey(namespace + "/" + name);
    return cached == null ? Optional.empty()
        : Optional.of(new Written(Optional.of(VolumeObjects.toRecord(cached)), cached.getMetadata().getResourceVersion()));
  }

  /** Removes the volume's record; removing an absent one is not an error. */
  public void remove(VolumeRecord volume) {
    String name = VolumeObjects.objectName(volume.name());
    String lastKnown = lastKnownVersion(name);
    boolean deleted = !objects().withName(name).delete().isEmpty();
    if (deleted) {
      // Hidden until the informer delivers the deletion. Only then: a tombstone for an object
      // that was already gone would never be cleared and would hide a later one of that name.
      overlay.put(name, new Written(Optional.empty(), lastKnown));
      settle(name);
    } else {
      overlay.remove(name);
    }
    account(volume.name());
  }

  /** The capacity committed to the filesystem's volumes, whatever their state. */
  public long committedBytes(String fsName) {
    return capacity.committed(fsName);
  }

  /** The capacity committed per filesystem, as the records in this journal's view hold it. */
  public CommittedCapacity capacity() {
    return capacity;
  }

  /**
   * Counts the volume named {@code csiName} as this journal's view now holds it. Reading the view
   * and counting it are one step, so that of two concurrent calls the later reading counts last.
   */
  private void account(String csiName) {
    String name = VolumeObjects.objectName(csiName);
    synchronized (capacity) {
      Written written = overlay.get(name);
      if (written != null) {
        written.record().ifPresentOrElse(r -> capacity.recorded(csiName, r.id().fsName(), r.capacityBytes()),
            () -> capacity.unrecorded(csiName));
        return;
      }
      LustreVolume cached = informer.getStore().getByKey(namespace + "/" + name);
      if (cached == null) {
        capacity.unrecorded(csiName);
      } else {
        capacity.recorded(csiName, cached.getSpec().fsName(), cached.getSpec().capacityBytes());
      }
    }
  }

  /**
   * Drops an overlay entry the informer had already caught up with before the entry was made
   * (its event came between our write's response and the entry), which no later event would clear.
   */
  private void settle(String name) {
    LustreVolume cached = informer.getStore().getByKey(namespace + "/" + name);
    overlay.computeIfPresent(name, (key, written) -> {
      if (written.record().isEmpty()) {
        // Gone from the cache, and not merely not yet added to it: the informer is past the
        // version we deleted, so it has delivered the deletion.
        String synced = informer.lastSyncResourceVersion();
        boolean past = written.resourceVersion() != null && synced != null && !olderThan(synced, written.resourceVersion());
        return cached == null && past ? null : written;
      }
      return cached != null && !olderThan(cached.getMetadata().getResourceVersion(), written.resourceVersion()) ? null : written;
    });
  }

  /** The newest resourceVersion of an object this journal knows: its own write's, or the cache's. */
  private String lastKnownVersion(String name) {
    Written written = overlay.get(name);
    if (written != null && written.record().isPresent()) {
      return written.resourceVersion();
    }
    LustreVolume cached = informer.getStore().getByKey(namespace + "/" + name);
    return cached == null ? null : cached.getMetadata().getResourceVersion();
  }

  /** Drops this journal's overlay entry once the informer has delivered that write or a later one. */
  private void caughtUp(LustreVolume volume) {
    String seen = volume.getMetadata().getResourceVersion();
    overlay.computeIfPresent(volume.getMetadata().getName(), (name, written) ->
        written.record().isPresent() && !olderThan(seen, written.resourceVersion()) ? null : written);
  }

  /**
   * Whether resourceVersion {@code a} is older than {@code b}. Kubernetes calls them opaque, but
   * every API server (etcd's revision) and the mock issue increasing integers; anything else is
   * treated as not older only when equal.
   */
  static boolean olderThan(String a, String b) {
    try {
      return Long.parseLong(a) < Long.parseLong(b);
    } catch (NumberFormatException e) {
      return !a.equals(b);
    }
  }

  private NonNamespaceOperation<LustreVolume, KubernetesResourceList<LustreVolume>, Resource<LustreVolume>> objects() {
    return client.resources(LustreVolume.class).inNamespace(namespace);
  }

  private static VolumeId idOf(LustreVolume volume) {
    return new VolumeId(volume.getSpec().fsName(), volume.getSpec().directory());
  }
}
