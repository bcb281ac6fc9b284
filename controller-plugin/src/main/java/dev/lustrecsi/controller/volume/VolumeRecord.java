package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.parameters.Striping;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The journal's record of one volume: written before any work is done for it, so a crashed or
 * retried call finds the volume it was making and finishes it instead of making another.
 *
 * @param name the CO's name for the volume (CreateVolume's name)
 * @param id the volume id handed out
 * @param capacityBytes the committed capacity, which is also the project quota
 * @param striping the directory layout
 * @param projectId the Lustre project id that carries the quota
 * @param state how far the volume has come
 * @param parameters the CreateVolume parameters, to tell a retry from a conflicting request
 * @param source the snapshot or volume its content is copied from; empty for a volume made empty
 * @param lastRequested when a CreateVolume last asked for the volume (kept current, to a fraction of
 *     the abandonment time, while it is CREATING): a volume no CO has asked for in a long time was
 *     abandoned (see {@link AbandonedVolumes})
 */
public record VolumeRecord(
    String name, VolumeId id, long capacityBytes, Striping striping, int projectId, State state, Map<String, String> parameters,
    Optional<VolumeSource> source, Instant lastRequested) {

  /** Life cycle of a volume in the journal. */
  public enum State {
    /** Capacity and project id are committed; the directory may not exist yet. */
    CREATING,
    /** The directory exists with its layout and quota. */
    READY,
    /** Deletion started; the directory may be partly gone. */
    DELETING
  }

  public VolumeRecord {
    parameters = Map.copyOf(parameters);
    source = source == null ? Optional.empty() : source;
    java.util.Objects.requireNonNull(lastRequested, "lastRequested");
  }

  /** A volume made empty, asked for at {@code lastRequested}. */
  public VolumeRecord(String name, VolumeId id, long capacityBytes, Striping striping, int projectId, State state, Map<String, String> parameters,
      Instant lastRequested) {
    this(name, id, capacityBytes, striping, projectId, state, parameters, Optional.empty(), lastRequested);
  }

  public VolumeRecord withState(State newState) {
    return new VolumeRecord(name, id, capacityBytes, striping, projectId, newState, parameters, source, lastRequested);
  }

  public VolumeRecord withCapacity(long newCapacity) {
    return new VolumeRecord(name, id, newCapacity, striping, projectId, state, parameters, source, lastRequested);
  }

  public VolumeRecord withSource(VolumeSource newSource) {
    return new VolumeRecord(name, id, capacityBytes, striping, projectId, state, parameters, Optional.of(newSource), lastRequested);
  }

  public VolumeRecord withLastRequested(Instant when) {
    return new VolumeRecord(name, id, capacityBytes, striping, projectId, state, parameters, source, when);
  }
}
