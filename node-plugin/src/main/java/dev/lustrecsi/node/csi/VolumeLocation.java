package dev.lustrecsi.node.csi;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.topology.VolumeContext;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.node.topology.StageContext;
import java.util.Map;
import java.util.Optional;

/**
 * Where a volume lives: its filesystem (with how to reach it) and its directory in it.
 * Provisioned volumes carry both in their id ({@code fsName/directory}); static volumes, whose
 * PV an admin wrote, have an id starting with {@code static:} and name the filesystem and an
 * optional subdirectory in their volume attributes.
 *
 * @param volumeId the id as the CO sent it
 * @param context the validated volume context
 * @param directory the directory relative to the filesystem root; empty for the root itself
 */
record VolumeLocation(String volumeId, StageContext context, String directory) {
  /** Prefix of static volume ids; what follows is the admin's choice. */
  static final String STATIC_PREFIX = "static:";

  static VolumeLocation resolve(String volumeId, Map<String, String> context) {
    if (isStatic(volumeId)) {
      if (volumeId.length() == STATIC_PREFIX.length()) {
        throw CsiException.invalidArgument("volume_id", "\"static:\" needs a name after the prefix");
      }
      StageContext parsed = StageContext.parse(context, null);
      return new VolumeLocation(volumeId, parsed, parsed.subdir());
    }
    VolumeId id = VolumeId.parse(volumeId)
        .orElseThrow(() -> CsiException.notFound("volume " + CallerText.quote(volumeId)
            + " is not a volume of this driver (static volumes have ids starting with static:)"));
    StageContext parsed = StageContext.parse(context, id.fsName());
    if (!parsed.subdir().isEmpty()) {
      throw CsiException.invalidArgument("volume_context." + VolumeContext.SUBDIR, "is only for static volumes (ids starting with static:)");
    }
    return new VolumeLocation(volumeId, parsed, id.directory());
  }

  /**
   * Where the volume an id names lives, for the calls that carry no volume context: a provisioned
   * id says; a static id does not, and then the answer is empty.
   */
  static Optional<VolumeLocation> namedByIdAlone(String volumeId) {
    return isStatic(volumeId) ? Optional.empty() : Optional.of(resolve(volumeId, Map.of()));
  }

  static boolean isStatic(String volumeId) {
    return volumeId.startsWith(STATIC_PREFIX);
  }

  String fsName() {
    return context.fsName();
  }
}
