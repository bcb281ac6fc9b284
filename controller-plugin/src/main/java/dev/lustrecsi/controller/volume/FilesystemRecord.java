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
 */
public record FilesystemRecord(String fsName, long ostSize, int maxOsts, int nextProjectId) {
  /** Project ids below this are left to admins. */
  public static final int FIRST_PROJECT_ID = 1000;

  public FilesystemRecord withNextProjectId(int next) {
    return new FilesystemRecord(fsName, ostSize, maxOsts, next);
  }
}
