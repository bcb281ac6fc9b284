package dev.lustrecsi.controller.volume;

/**
 * What a volume is made from, as its record keeps it while it is CREATING (so that a retried or
 * crashed CreateVolume finishes the same copy, and a DeleteVolume of an unfinished one knows what
 * to clean up) and after (so that every answer for it names its content source, as the CSI spec asks).
 *
 * @param kind a CSI snapshot (restore) or a volume (clone)
 * @param id the CSI id of the source: the snapshot id, or the source volume's id
 * @param lustreSnapshot the Lustre snapshot the copy reads: the CSI snapshot's, or for a clone the
 *     one taken for the purpose (named here before it is taken, and destroyed when the copy is done)
 * @param directory the source volume's directory, which the copy reads inside the Lustre snapshot
 * @param phase how far the copy has come
 */
public record VolumeSource(Kind kind, String id, String lustreSnapshot, String directory, Phase phase) {
  /** What CreateVolume's volume_content_source named. */
  public enum Kind {
    SNAPSHOT,
    VOLUME
  }

  /** How far making the content has come. */
  public enum Phase {
    /** A clone's own Lustre snapshot is being taken: pieces of it may exist, and it is taken again from scratch when retried. */
    SNAPSHOTTING,
    /** The Lustre snapshot is whole; it is being mounted and copied from. */
    COPYING,
    /** The copy is done; the snapshot is being unmounted (and a clone's destroyed). */
    COPIED,
    /** Nothing of the source is held any more: the volume is its own. */
    DONE
  }

  public VolumeSource withPhase(Phase next) {
    return new VolumeSource(kind, id, lustreSnapshot, directory, next);
  }

  /** Whether the copy still holds the Lustre snapshot mounted, or may. */
  public boolean holdsSnapshot() {
    return phase == Phase.COPYING || phase == Phase.COPIED;
  }

  /** Whether the same request would make this content: the phase and the snapshot a clone takes are the driver's own business. */
  public boolean sameSource(VolumeSource other) {
    return kind == other.kind && id.equals(other.id);
  }
}
