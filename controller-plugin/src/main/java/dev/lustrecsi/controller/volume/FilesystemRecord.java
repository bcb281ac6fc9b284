package dev.lustrecsi.controller.volume;

/**
 * The journal's record of a filesystem the controller created: what it was created as, and the
 * next project id to hand out (ids are never reused, so a quota left behind by a crash can
 * never land on a new volume).
 *
 * @param fsName the Lustre fsname
 * @param ostSize bytes per OST
 * @param maxOsts growth limit
 * @param nextProjectId the project id the next volume gets
 * @param overcommit bytes of volume capacity one byte of OST backs; null in records written before it existed (1.0)
 */
public record FilesystemRecord(String fsName, long ostSize, int maxOsts, int nextProjectId, Double overcommit) {
  /** Project ids below this are left to admins. */
  public static final int FIRST_PROJECT_ID = 1000;

  public FilesystemRecord withNextProjectId(int next) {
    return new FilesystemRecord(fsName, ostSize, maxOsts, next, overcommit);
  }

  public double overcommitFactor() {
    return overcommit == null ? 1.0 : overcommit;
  }

  /** Volume capacity one OST backs. */
  public long backedPerOst() {
    return saturated(ostSize * overcommitFactor());
  }

  /** Volume capacity the filesystem can ever back. */
  public long capacityLimit() {
    return saturated((double) ostSize * maxOsts * overcommitFactor());
  }

  static long saturated(double bytes) {
    return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
  }
}
