package dev.lustrecsi.controller.snapshot;

import dev.lustrecsi.common.volume.VolumeId;
import java.time.Instant;

/**
 * The controller's record of one CSI snapshot: written, naming its Lustre snapshot, before that
 * snapshot is taken, so a crashed or retried call finds the pieces it may have left.
 *
 * @param name the CO's name for the snapshot (CreateSnapshot's name)
 * @param id the snapshot id handed out
 * @param source the volume snapshotted: its directory in the Lustre snapshot is the snapshot's content
 * @param lustreSnapshot the name of the filesystem-wide Lustre snapshot (a ZFS snapshot of every
 *     target under this name), possibly shared with other CSI snapshots
 * @param sizeBytes the source volume's capacity when the snapshot was taken: the least a volume restored from it needs
 * @param creationSeconds when the Lustre snapshot was taken (ZFS's creation time); 0 until READY
 * @param state how far the snapshot has come
 * @param group the record name of the group snapshot it belongs to; empty for a snapshot of its own
 * @param lastRequested when a CreateSnapshot (or CreateVolumeGroupSnapshot) last asked for it, kept
 *     current while it is CREATING: one no CO has asked for in a long time was abandoned (see
 *     {@link AbandonedSnapshots})
 */
public record SnapshotRecord(String name, SnapshotId id, VolumeId source, String lustreSnapshot, long sizeBytes, long creationSeconds,
    State state, String group, Instant lastRequested) {

  /** Life cycle of a snapshot record. */
  public enum State {
    /** The Lustre snapshot is being taken; target snapshots of it may exist on some servers. */
    CREATING,
    /** Every target holds the Lustre snapshot, taken while the write barrier held. */
    READY,
    /** Deletion started; the Lustre snapshot may be partly destroyed (when no other record shares it). */
    DELETING
  }

  public SnapshotRecord {
    group = group == null ? "" : group;
    java.util.Objects.requireNonNull(lastRequested, "lastRequested");
  }

  /** The group snapshot's id, empty for a snapshot of its own. */
  public String groupId() {
    return group.isEmpty() ? "" : new SnapshotId(id.fsName(), group).toString();
  }

  public SnapshotRecord ready(long creation) {
    return new SnapshotRecord(name, id, source, lustreSnapshot, sizeBytes, creation, State.READY, group, lastRequested);
  }

  public SnapshotRecord withState(State newState) {
    return new SnapshotRecord(name, id, source, lustreSnapshot, sizeBytes, creationSeconds, newState, group, lastRequested);
  }

  public SnapshotRecord withLastRequested(Instant when) {
    return new SnapshotRecord(name, id, source, lustreSnapshot, sizeBytes, creationSeconds, state, group, when);
  }
}
