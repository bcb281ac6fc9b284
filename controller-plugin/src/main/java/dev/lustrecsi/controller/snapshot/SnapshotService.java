package dev.lustrecsi.controller.snapshot;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.snapshot.SnapshotRecord.State;
import dev.lustrecsi.controller.snapshot.kubernetes.KubernetesSnapshotJournal;
import dev.lustrecsi.controller.snapshot.kubernetes.SnapshotObjects;
import dev.lustrecsi.controller.volume.Abandonment;
import dev.lustrecsi.controller.volume.VolumeRecord;
import dev.lustrecsi.controller.volume.VolumeSource;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * CSI snapshots: each a record naming its source volume and the Lustre snapshot holding it.
 *
 * <p>Crash safety: the record is written (CREATING, naming the Lustre snapshot) before the
 * snapshot is taken, and marked READY only once every target holds it. A call that finds its
 * record CREATING was interrupted: if another record of the same Lustre snapshot is READY the
 * snapshot is whole and this one is READY too; otherwise whatever pieces exist are destroyed and
 * the Lustre snapshot is taken again. Deletion marks the record DELETING, destroys the Lustre
 * snapshot once no other live record shares it, then removes the record. A snapshot still CREATING
 * that no call asks for any more is withdrawn the same way ({@link AbandonedSnapshots}).
 */
public final class SnapshotService {
  private static final System.Logger LOG = System.getLogger(SnapshotService.class.getName());

  private final KubernetesSnapshotJournal journal;
  private final Function<VolumeId, Optional<VolumeRecord>> volumes;
  private final SnapshotBatches batches;
  private final Supplier<List<VolumeRecord>> allVolumes;
  private final Clock clock;
  private final Abandonment abandonment;
  private final Set<String> busy = ConcurrentHashMap.newKeySet();
  private final RestoreStarts restoreStarts = new RestoreStarts();

  /**
   * @param allVolumes every volume record: a snapshot a volume is being restored from cannot go
   * @param clock when CreateSnapshot calls come, for the snapshots' lastRequested
   * @param abandonment when a snapshot still being taken that no call asks for is withdrawn, and
   *     so when a retry refreshes its record
   */
  public SnapshotService(KubernetesSnapshotJournal journal, Function<VolumeId, Optional<VolumeRecord>> volumes, SnapshotBatches batches,
      Supplier<List<VolumeRecord>> allVolumes, Clock clock, Abandonment abandonment) {
    this.journal = journal;
    this.volumes = volumes;
    this.batches = batches;
    this.allVolumes = allVolumes;
    this.clock = clock;
    this.abandonment = abandonment;
  }

  /** CreateSnapshot: the snapshot named {@code name} of the volume, taken now or found from an earlier call. */
  public SnapshotRecord create(String name, String sourceVolumeId) {
    String object = SnapshotObjects.objectName(name);
    try (Busy held = hold(object, "snapshot " + CallerText.quote(name))) {
      Optional<SnapshotRecord> existing = journal.get(object);
      if (existing.isPresent()) {
        SnapshotRecord found = existing.get();
        if (!found.name().equals(name) || !found.source().toString().equals(sourceVolumeId)) {
          throw CsiException.alreadyExists("snapshot " + CallerText.quote(name) + " exists already, of volume " + found.source()
              + ", not of " + CallerText.quote(sourceVolumeId));
        }
        if (!found.group().isEmpty()) {
          throw CsiException.alreadyExists("snapshot " + CallerText.quote(name) + " is a member of group snapshot " + found.groupId());
        }
        return switch (found.state()) {
          case READY -> found;
          case CREATING -> finish(stillRequested(found));
          case DELETING -> throw CsiException.aborted("snapshot " + CallerText.quote(name) + " is being deleted; retry later");
        };
      }
      VolumeRecord volume = VolumeId.parse(sourceVolumeId).flatMap(volumes).filter(v -> v.state() == VolumeRecord.State.READY)
          .orElseThrow(() -> CsiException.notFound("source_volume_id: volume " + CallerText.quote(sourceVolumeId) + " does not exist"));
      batches.requireSnapshottable(volume.id().fsName());
      SnapshotBatches.Batch batch;
      SnapshotRecord record;
      try (SnapshotBatches.Joined joined = batches.join(volume.id().fsName())) {
        batch = joined.batch();
        record = new SnapshotRecord(name, new SnapshotId(volume.id().fsName(), object), volume.id(), batch.name(),
            volume.capacityBytes(), 0, State.CREATING, "", clock.instant());
        journal.put(record);
      }
      return recordReady(record, batches.await(batch));
    }
  }

  /**
   * DeleteSnapshot: an id that names no snapshot is already deleted. A member of a group snapshot
   * is not deleted alone: its answers carry the group's id, by which the CSI spec says it must not
   * be deleted as a stand-alone snapshot; the group's DeleteVolumeGroupSnapshot deletes it.
   */
  public void delete(String snapshotId) {
    Optional<SnapshotId> id = SnapshotId.parse(snapshotId);
    if (id.isEmpty()) {
      return;
    }
    String described = "snapshot " + CallerText.quote(snapshotId);
    try (Busy held = hold(id.get().record(), described); Busy deleting = deleting(List.of(id.get()), described)) {
      requireNotRestoring(id.get(), described);
      journal.get(id.get().record()).filter(r -> r.id().equals(id.get())).ifPresent(found -> {
        if (!found.group().isEmpty()) {
          throw CsiException.failedPrecondition("snapshot_id: " + described + " is a member of group snapshot "
              + CallerText.quote(found.groupId()) + " and is deleted with it only (DeleteVolumeGroupSnapshot)");
        }
        delete(found);
      });
    }
  }

  /** A CreateVolume restoring from a snapshot, holding the snapshot against deletion until closed. */
  public interface RestoreStart extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Holds the snapshot against deletion for a CreateVolume that restores from it: taken before
   * the call checks that the snapshot exists, closed once the call is over, by which time the new
   * volume's record (naming the snapshot as its source) is written, and makes the snapshot in use
   * by itself ({@link #requireNotRestoring}), or the call failed without one. ABORTED while the
   * snapshot is being deleted: the CO's retry finds it gone, or still there if the deletion was
   * refused.
   */
  public RestoreStart startRestore(String snapshotId) {
    Optional<SnapshotId> id = SnapshotId.parse(snapshotId);
    if (id.isEmpty()) {
      return () -> {};  // names no snapshot: the check that follows says so
    }
    String key = id.get().toString();
    if (!restoreStarts.start(key)) {
      throw CsiException.aborted("snapshot " + CallerText.quote(snapshotId) + " is being deleted; retry later");
    }
    return () -> restoreStarts.started(key);
  }

  /**
   * Keeps restores from starting from these snapshots while they are deleted, or deletion is
   * refused. FAILED_PRECONDITION, the spec's code for a snapshot in use, while a CreateVolume
   * restoring from one of them is in progress: its record may not be written yet, so {@link
   * #requireNotRestoring} could not see it.
   */
  Busy deleting(List<SnapshotId> ids, String described) {
    List<String> keys = ids.stream().map(SnapshotId::toString).toList();
    List<String> restoring = restoreStarts.delete(keys);
    if (!restoring.isEmpty()) {
      throw CsiException.failedPrecondition(described + " is in use: a volume is being restored from " + (ids.size() == 1 ? "it" : restoring)
          + " (its CreateVolume is in progress); delete it when the volume is ready");
    }
    return () -> restoreStarts.deleted(keys);
  }

  /**
   * FAILED_PRECONDITION, the CSI spec's code for a snapshot in use, while volumes are being
   * restored from it: its Lustre snapshot is mounted for their copy, and destroying it would fail
   * the restores. The CO retries the delete once they are done.
   */
  void requireNotRestoring(SnapshotId id, String described) {
    List<String> restoring = allVolumes.get().stream()
        .filter(v -> v.state() == VolumeRecord.State.CREATING && v.source().filter(s -> s.kind() == VolumeSource.Kind.SNAPSHOT
            && s.id().equals(id.toString()) && s.phase() != VolumeSource.Phase.DONE).isPresent())
        .map(v -> v.id().toString()).toList();
    if (!restoring.isEmpty()) {
      throw CsiException.failedPrecondition(described + " is in use: volumes " + restoring
          + " are being restored from it; delete it when they are ready");
    }
  }

  /**
   * A retry of a snapshot still being taken: its record's lastRequested is moved to now once it is
   * due. The write is conditional: if another controller has meanwhile decided the snapshot was
   * abandoned (or changed it otherwise), this call loses and the CO retries, to find it being
   * deleted and then gone, and take it anew.
   */
  SnapshotRecord stillRequested(SnapshotRecord snapshot) {
    Instant now = clock.instant();
    if (snapshot.state() != State.CREATING || !abandonment.refreshDue(snapshot.lastRequested(), now)) {
      return snapshot;
    }
    SnapshotRecord refreshed = snapshot.withLastRequested(now);
    if (!journal.replace(snapshot, refreshed)) {
      throw CsiException.aborted("the record of snapshot " + CallerText.quote(snapshot.name()) + " changed while this call read it; retry");
    }
    return refreshed;
  }

  /**
   * Withdraws a snapshot no CO asks for any more, as {@link AbandonedSnapshots} found it: one still
   * being taken (its CreateSnapshot never succeeded, so no CO knows its id and none will delete it)
   * or one whose deletion was left unfinished. One being taken is marked DELETING only if its
   * record is still exactly {@code seen}: a call that asked for it since (here or on another
   * controller) wins, and the snapshot stays. Returns whether it was withdrawn; a call in progress
   * on it here leaves it for the next sweep.
   */
  public boolean withdrawAbandoned(SnapshotRecord seen) {
    if (seen.state() == State.READY) {
      throw new IllegalArgumentException("snapshot " + seen.id() + " is ready: only its CO may delete it");
    }
    String key = seen.id().record();
    if (!busy.add(key)) {
      return false;
    }
    try {
      if (!journal.get(key).equals(Optional.of(seen))) {
        return false;  // asked for, finished or deleted since the sweep read it
      }
      SnapshotRecord deleting = seen.withState(State.DELETING);
      if (seen.state() == State.CREATING && !journal.replace(seen, deleting)) {
        return false;
      }
      LOG.log(Level.WARNING, "withdrawing snapshot " + CallerText.quote(seen.name()) + " (" + seen.id() + "): "
          + seen.state().name().toLowerCase() + ", and no call has asked for it since " + seen.lastRequested()
          + " (its VolumeSnapshot deleted meanwhile?)");
      delete(deleting);
      return true;
    } finally {
      busy.remove(key);
    }
  }

  /** Deletes one record's snapshot: its Lustre snapshot goes with the last live record that shares it. */
  void delete(SnapshotRecord found) {
    SnapshotRecord deleting = found.withState(State.DELETING);
    if (found.state() != State.DELETING) {
      journal.put(deleting);
    }
    // Decided from the records while no CreateSnapshot is between joining this Lustre snapshot and recording it.
    boolean destroyed = batches.destroyUnlessShared(deleting.id().fsName(), deleting.lustreSnapshot(), () -> journal.all().stream()
        .anyMatch(other -> !other.id().equals(deleting.id())
            && other.state() != State.DELETING
            && other.id().fsName().equals(deleting.id().fsName())
            && other.lustreSnapshot().equals(deleting.lustreSnapshot())));
    journal.remove(deleting);
    LOG.log(Level.INFO, "deleted snapshot " + deleting.id() + (destroyed ? ", and Lustre snapshot " + deleting.lustreSnapshot()
        : " (its Lustre snapshot " + deleting.lustreSnapshot() + " stays for the others sharing it)"));
  }

  /** The snapshot with this id, when it exists and is ready. */
  public Optional<SnapshotRecord> get(String snapshotId) {
    return SnapshotId.parse(snapshotId).flatMap(id -> journal.get(id.record()).filter(r -> r.id().equals(id)))
        .filter(r -> r.state() == State.READY);
  }

  /** Every ready snapshot, sorted by id. */
  public List<SnapshotRecord> ready() {
    return journal.all().stream().filter(r -> r.state() == State.READY).toList();
  }

  /** Finishes a record an interrupted call left CREATING: its Lustre snapshot is whole, or taken again. */
  SnapshotRecord finish(SnapshotRecord interrupted) {
    String fsName = interrupted.id().fsName();
    long creation = batches.retake(fsName, interrupted.lustreSnapshot(), () -> journal.all().stream()
        .filter(r -> r.state() == State.READY && r.id().fsName().equals(fsName) && r.lustreSnapshot().equals(interrupted.lustreSnapshot()))
        .mapToLong(SnapshotRecord::creationSeconds).findFirst().orElse(-1));
    return recordReady(interrupted, creation);
  }

  /**
   * Marks a snapshot READY, only if its record is still exactly {@code taken}, the one this call
   * read or wrote. A record withdrawn meanwhile (by a sweep on a controller whose clock runs ahead,
   * or on this one for a group's member, which the group's call does not hold) is never brought
   * back: a READY snapshot is the CO's to delete, and no CO would ever learn of this one. The
   * Lustre snapshot this call may have taken again after the withdrawal destroyed it goes unless a
   * live record still names it, and the call is ABORTED: its retry finds the records as they are.
   */
  SnapshotRecord recordReady(SnapshotRecord taken, long creation) {
    SnapshotRecord ready = taken.ready(creation);
    if (journal.replace(taken, ready)) {
      return ready;
    }
    String fsName = taken.id().fsName();
    batches.destroyUnlessShared(fsName, taken.lustreSnapshot(), () -> journal.all().stream()
        .anyMatch(other -> other.state() != State.DELETING && other.id().fsName().equals(fsName)
            && other.lustreSnapshot().equals(taken.lustreSnapshot())));
    throw CsiException.aborted("the record of snapshot " + CallerText.quote(taken.name()) + " was withdrawn or changed while this call "
        + "took it; retry");
  }

  interface Busy extends AutoCloseable {
    @Override
    void close();
  }

  /** One call per snapshot at a time; a second is ABORTED at once, as the CSI spec asks, and the CO retries. */
  Busy hold(String key, String what) {
    if (!busy.add(key)) {
      throw CsiException.aborted("an operation on " + what + " is already in progress; retry later");
    }
    return () -> busy.remove(key);
  }
}
