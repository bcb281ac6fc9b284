package dev.lustrecsi.agent.lustre;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.regex.Pattern;

/**
 * The ZFS user properties that make a target's snapshot mountable beside the live filesystem, as
 * {@code lctl snapshot_create} (lustre/utils/lsnapshot.c) sets them: the snapshot's own filesystem
 * name, the target's name under it, the MGS to register with, and the magic by which a snapshot
 * is known to be one of these. A snapshot without the magic predates restorable snapshots: it
 * inherits the live dataset's {@code lustre:fsname}, which must never be mistaken for its own.
 */
public final class SnapshotTags {
  public static final String FSNAME = "lustre:fsname";
  public static final String SVNAME = "lustre:svname";
  public static final String MGSNODE = "lustre:mgsnode";
  public static final String MAGIC = "lustre:magic";
  public static final String CTIME = "lustre:ctime";
  public static final String MTIME = "lustre:mtime";
  /** lsnapshot's SNAPSHOT_MAGIC. */
  public static final String MAGIC_VALUE = "0x14F711B9";
  /** A snapshot's filesystem name: exactly 8 of [a-z0-9] (Lustre's limit is 8; lowercase keeps it one name whatever tool prints it). */
  private static final Pattern SNAPSHOT_FS_NAME = Pattern.compile("[a-z0-9]{8}");

  private SnapshotTags() {}

  /** Why the name cannot be a snapshot's filesystem name, or null when it can. */
  public static String problem(String snapshotFsName) {
    if (snapshotFsName == null || snapshotFsName.isEmpty()) {
      return "is missing";
    }
    return SNAPSHOT_FS_NAME.matcher(snapshotFsName).matches() ? null : "'" + snapshotFsName + "' is not 8 characters of [a-z0-9]";
  }

  /**
   * The properties of one target's snapshot, in lsnapshot's order. The MGT gets neither a
   * target name nor an MGS node: it is never mounted, the live MGS serves the forked
   * configuration instead.
   *
   * @param mgsNode the live dataset's {@code lustre:mgsnode} (what mkfs.lustre recorded), null if unset
   */
  public static SequencedMap<String, String> of(String snapshotFsName, TargetName target, String mgsNode, long nowSeconds) {
    SequencedMap<String, String> tags = new LinkedHashMap<>();
    tags.put(FSNAME, snapshotFsName);
    tags.put(MAGIC, MAGIC_VALUE);
    tags.put(CTIME, Long.toString(nowSeconds));
    tags.put(MTIME, Long.toString(nowSeconds));
    if (target.kind() != TargetKind.MGT) {
      tags.put(SVNAME, new TargetName(snapshotFsName, target.kind(), target.index()).toString());
      if (mgsNode != null) {
        tags.put(MGSNODE, mgsNode);
      }
    }
    return tags;
  }

  /** The snapshot's own filesystem name from its properties, empty when it carries no magic (taken before restorable snapshots). */
  public static java.util.Optional<String> snapshotFsName(Map<String, String> properties) {
    if (!MAGIC_VALUE.equals(properties.get(MAGIC))) {
      return java.util.Optional.empty();
    }
    String name = properties.get(FSNAME);
    return name == null || problem(name) != null ? java.util.Optional.empty() : java.util.Optional.of(name);
  }
}
