package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.volume.VolumeId;
import java.util.List;
import java.util.Optional;

/**
 * Durable records of volumes and filesystems. A write returns only once it would survive a
 * crash. Lookups are by the CO's name (CreateVolume) and by volume id (every other call).
 */
public interface VolumeJournal {
  Optional<VolumeRecord> byName(String name);

  Optional<VolumeRecord> byId(VolumeId id);

  /** Every volume, sorted by volume id. */
  List<VolumeRecord> volumes();

  void put(VolumeRecord volume);

  /** Removing an absent volume is not an error. */
  void remove(VolumeRecord volume);

  Optional<FilesystemRecord> filesystem(String fsName);

  List<FilesystemRecord> filesystems();

  /**
   * Writes a filesystem record, only if nobody else changed it since this journal last read or
   * wrote it; otherwise throws {@link StaleRecordException} and writes nothing, even when the
   * other writer stored the same content: a write is a claim (of project ids), and two equal
   * claims are a conflict.
   */
  void put(FilesystemRecord filesystem);
}
