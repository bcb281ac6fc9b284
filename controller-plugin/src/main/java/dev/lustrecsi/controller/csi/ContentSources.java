package dev.lustrecsi.controller.csi;

import csi.v1.VolumeContentSource;
import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.request.RequestFields;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.content.CloneSnapshotNames;
import dev.lustrecsi.controller.snapshot.SnapshotRecord;
import dev.lustrecsi.controller.snapshot.SnapshotService;
import dev.lustrecsi.controller.volume.CapacityRequest;
import dev.lustrecsi.controller.volume.VolumeProvisioner;
import dev.lustrecsi.controller.volume.VolumeRecord;
import dev.lustrecsi.controller.volume.VolumeSource;
import java.util.Optional;

/**
 * CreateVolume's volume_content_source, checked by the CSI spec's codes before anything is
 * committed: NOT_FOUND for a source that does not exist, INVALID_ARGUMENT naming the field for a
 * source the new volume cannot be made from (another filesystem, a larger size). The checks come
 * first so that a CO learns what is wrong with its request whatever the driver offers.
 */
final class ContentSources {
  static final String FIELD = "volume_content_source";
  static final String SNAPSHOT_ID = FIELD + ".snapshot.snapshot_id";
  static final String VOLUME_ID = FIELD + ".volume.volume_id";

  /**
   * What a request's content source stands for, once it is known to exist.
   *
   * @param volume what the new volume's record keeps of it
   */
  record Source(String field, String description, String fsName, long sizeBytes, VolumeSource volume) {}

  private final SnapshotService snapshots;
  private final VolumeProvisioner volumes;

  ContentSources(SnapshotService snapshots, VolumeProvisioner volumes) {
    this.snapshots = snapshots;
    this.volumes = volumes;
  }

  /**
   * Holds the snapshot a request restores from against deletion for the length of the
   * CreateVolume, so from before {@link #check} finds it until after the volume's record names it
   * (see {@link SnapshotService#startRestore}). Nothing to hold for a clone or an empty volume.
   */
  SnapshotService.RestoreStart hold(VolumeContentSource request) {
    return request.getTypeCase() == VolumeContentSource.TypeCase.SNAPSHOT
        ? snapshots.startRestore(request.getSnapshot().getSnapshotId()) : () -> {};
  }

  /** The source of the volume named {@code volumeName}, checked against the StorageClass's filesystem and the requested capacity. */
  Source check(VolumeContentSource request, String volumeName, String fsName, CapacityRequest range) {
    Source source = find(request, volumeName);
    if (!source.fsName().equals(fsName)) {
      // A Lustre snapshot, or a volume's directory, can only be read on its own filesystem's servers.
      throw CsiException.invalidArgument(source.field(), source.description() + " is on filesystem " + source.fsName()
          + ", not on the StorageClass's filesystem " + fsName + " (parameters.fsName)");
    }
    if (range.limitBytes() > 0 && range.limitBytes() < source.sizeBytes()) {
      throw CsiException.invalidArgument("capacity_range.limit_bytes", range.limitBytes() + " bytes is smaller than "
          + source.description() + " (" + Sizes.format(source.sizeBytes()) + ")");
    }
    if (range.requiredBytes() > 0 && range.requiredBytes() < source.sizeBytes()) {
      throw CsiException.invalidArgument("capacity_range.required_bytes", range.requiredBytes() + " bytes is smaller than "
          + source.description() + " (" + Sizes.format(source.sizeBytes()) + ")");
    }
    return source;
  }

  /**
   * The content source the record of a volume already named {@code volumeName} holds, when it is
   * the one the request names: a retry of a CreateVolume that made (or is making) the volume is
   * judged by what the volume was made from, not by the source as it is now. A snapshot may be
   * deleted once a restore from it is done, a clone's source may grow meanwhile, and neither must
   * turn the retry into an error. It comes back at the phase a first call starts from, in case
   * the record is gone before the call reaches it: then the copy is made afresh, never skipped.
   */
  Optional<VolumeSource> recorded(VolumeContentSource request, String volumeName) {
    VolumeSource.Kind kind = switch (request.getTypeCase()) {
      case SNAPSHOT -> VolumeSource.Kind.SNAPSHOT;
      case VOLUME -> VolumeSource.Kind.VOLUME;
      case TYPE_NOT_SET -> null;
    };
    String id = kind == VolumeSource.Kind.SNAPSHOT ? request.getSnapshot().getSnapshotId() : request.getVolume().getVolumeId();
    return volumes.byName(volumeName).flatMap(VolumeRecord::source)
        .filter(source -> source.kind() == kind && source.id().equals(id))
        .map(source -> source.withPhase(kind == VolumeSource.Kind.SNAPSHOT ? VolumeSource.Phase.COPYING : VolumeSource.Phase.SNAPSHOTTING));
  }

  private Source find(VolumeContentSource request, String volumeName) {
    return switch (request.getTypeCase()) {
      case SNAPSHOT -> {
        String id = RequestFields.id(request.getSnapshot().getSnapshotId(), SNAPSHOT_ID);
        SnapshotRecord snapshot = snapshots.get(id)
            .orElseThrow(() -> CsiException.notFound(SNAPSHOT_ID + ": snapshot " + CallerText.quote(id) + " does not exist"));
        yield new Source(SNAPSHOT_ID, "snapshot " + snapshot.id(), snapshot.id().fsName(), snapshot.sizeBytes(), new VolumeSource(
            VolumeSource.Kind.SNAPSHOT, id, snapshot.lustreSnapshot(), snapshot.source().directory(), VolumeSource.Phase.COPYING));
      }
      case VOLUME -> {
        String id = RequestFields.id(request.getVolume().getVolumeId(), VOLUME_ID);
        // A volume still being made or going has no content to clone: to the CO it does not exist.
        VolumeRecord volume = VolumeId.parse(id).flatMap(volumes::get).filter(v -> v.state() == VolumeRecord.State.READY)
            .orElseThrow(() -> CsiException.notFound(VOLUME_ID + ": volume " + CallerText.quote(id) + " does not exist"));
        // A clone copies from a Lustre snapshot of its own, taken first, so it reads the source as
        // it was at one instant, not a directory pods may be writing while the copy runs.
        yield new Source(VOLUME_ID, "volume " + volume.id(), volume.id().fsName(), volume.capacityBytes(), new VolumeSource(
            VolumeSource.Kind.VOLUME, id, CloneSnapshotNames.of(volumeName), volume.id().directory(), VolumeSource.Phase.SNAPSHOTTING));
      }
      case TYPE_NOT_SET -> throw CsiException.invalidArgument(FIELD, "names neither a snapshot nor a volume");
    };
  }
}
