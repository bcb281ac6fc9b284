package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.common.volume.VolumeId;
import java.util.OptionalLong;
import java.nio.file.Path;

/**
 * What the sandbox's node side needs from simulated Lustre servers: where a client mount of a
 * filesystem would show its files, and a volume's project quota (what Lustre's statfs_project
 * reports as the volume's size).
 */
public interface SimulatedNamespaces {
  /** The directory a client mount of the filesystem shows. */
  Path namespace(String fsName);

  /** The hard block limit of the volume directory's project, in bytes; empty when the directory has no project. */
  OptionalLong quotaBytes(VolumeId volume);

  /** Whether the simulated servers can be reached at all (the node plugin's readiness). */
  boolean reachable();
}
