package dev.lustrecsi.controller.volume.kubernetes;

import dev.lustrecsi.controller.parameters.Striping;
import java.util.List;

/**
 * A {@link dev.lustrecsi.controller.volume.VolumeRecord} as the LustreVolume resource stores it.
 *
 * @param name the CO's name for the volume; the object name is derived from it but may be a hash
 * @param fsName the filesystem holding the volume
 * @param directory the volume's directory in the filesystem (with fsName, the volume id)
 * @param capacityBytes the committed capacity
 * @param capacity the same, readable, for kubectl's printer column
 * @param striping the directory layout
 * @param projectId the Lustre project id carrying the quota
 * @param state CREATING, READY or DELETING
 * @param parameters the CreateVolume parameters, as a list because CRD schemas here are built from records
 * @param source what the volume's content is copied from; absent for a volume made empty
 * @param lastRequested when a CreateVolume last asked for the volume (RFC 3339); absent in records
 *     of controllers before it, which count from the object's creation instead
 */
public record LustreVolumeSpec(
    String name, String fsName, String directory, long capacityBytes, String capacity, Striping striping, int projectId, String state,
    List<Parameter> parameters, Source source, String lastRequested) {

  /** One CreateVolume parameter. */
  public record Parameter(String name, String value) {}

  /**
   * A {@link dev.lustrecsi.controller.volume.VolumeSource}.
   *
   * @param kind SNAPSHOT (restore) or VOLUME (clone)
   * @param id the source's CSI id
   * @param lustreSnapshot the Lustre snapshot copied from
   * @param directory the source volume's directory in it
   * @param phase SNAPSHOTTING, COPYING, COPIED or DONE
   */
  public record Source(String kind, String id, String lustreSnapshot, String directory, String phase) {}
}
