package dev.lustrecsi.controller.snapshot;

import dev.lustrecsi.common.naming.Sha256;

/**
 * The filesystem name a Lustre snapshot is mounted under beside the live filesystem (what {@code
 * lctl snapshot_create} forks the configuration logs to). Derived from the filesystem and the
 * snapshot's name alone, never drawn at random: a take retried after a crash must tag every
 * target with the name the first attempt forked, or the MGS would hold logs that no target names.
 */
public final class SnapshotFsNames {
  private SnapshotFsNames() {}

  /** 8 characters of [a-z0-9], the lowercase hex of a hash of both names; never the live name. */
  public static String of(String fsName, String lustreSnapshot) {
    String text = fsName + "@" + lustreSnapshot;
    for (int salt = 0; ; salt++) {
      String candidate = Sha256.hex(salt == 0 ? text : text + "#" + salt, 4);
      // A snapshot mounted under its filesystem's own name would be that filesystem to every client.
      if (!candidate.equals(fsName)) {
        return candidate;
      }
    }
  }
}
