package dev.lustrecsi.controller.snapshot;

import dev.lustrecsi.common.volume.FsName;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A CSI snapshot id: {@code FSNAME@RECORD}, the filesystem and the name of the snapshot's record
 * (a LustreSnapshot object). Not the Lustre snapshot's name: snapshots taken close together share
 * one Lustre snapshot, and each still needs an id of its own. The '@' keeps snapshot ids from
 * ever reading as volume ids ({@code FSNAME/DIRECTORY}).
 */
public record SnapshotId(String fsName, String record) {
  private static final Pattern RECORD = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  public SnapshotId {
    if (!FsName.isLegal(fsName) || !RECORD.matcher(record).matches()) {
      throw new IllegalArgumentException("not a snapshot id: " + fsName + "@" + record);
    }
  }

  /** The id, or empty when the text is not one this driver hands out (so it names no snapshot). */
  public static Optional<SnapshotId> parse(String text) {
    int at = text.indexOf('@');
    if (at <= 0) {
      return Optional.empty();
    }
    String fsName = text.substring(0, at);
    String record = text.substring(at + 1);
    if (!FsName.isLegal(fsName) || !RECORD.matcher(record).matches()) {
      return Optional.empty();
    }
    return Optional.of(new SnapshotId(fsName, record));
  }

  @Override
  public String toString() {
    return fsName + "@" + record;
  }
}
