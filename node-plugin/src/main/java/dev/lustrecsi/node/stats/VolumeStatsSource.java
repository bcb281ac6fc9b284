package dev.lustrecsi.node.stats;

import dev.lustrecsi.common.volume.VolumeId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads a mounted volume's statistics. It may block on a hung mount; callers bound the wait. */
public interface VolumeStatsSource {
  /**
   * @param volume the provisioned volume, or empty for a static volume (an admin's PV, no driver id)
   * @param volumePath where it is mounted
   */
  VolumeStats stats(Optional<VolumeId> volume, Path volumePath) throws IOException;
}
