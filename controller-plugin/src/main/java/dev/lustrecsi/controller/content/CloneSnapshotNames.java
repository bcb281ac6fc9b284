package dev.lustrecsi.controller.content;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The name of the Lustre snapshot a clone takes of its source: derived from the clone's CSI name,
 * so that it is known, and recorded, before the snapshot is taken, and a retried CreateVolume
 * finds the pieces an interrupted one left. The prefix tells it apart from CSI snapshots'
 * ({@code lcsi-DATE-TIME-RANDOM}) in {@code zfs list}.
 */
public final class CloneSnapshotNames {
  private CloneSnapshotNames() {}

  public static String of(String cloneName) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cloneName.getBytes(StandardCharsets.UTF_8));
      return "lcsi-clone-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
