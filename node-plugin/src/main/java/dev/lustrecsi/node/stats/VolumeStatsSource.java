package dev.lustrecsi.node.stats;

import dev.lustrecsi.common.volume.VolumeId;
import java.io.IOException;
import java.nio.file.Path;

/** Reads a mounted volume's statistics. It may block on a hung mount; callers bound the wait. */
public interface VolumeStatsSource {
  VolumeStats stats(VolumeId volume, Path volumePath) throws IOException;
}
