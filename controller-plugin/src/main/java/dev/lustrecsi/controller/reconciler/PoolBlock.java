package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.MigrateOstFilesResponse;

/**
 * What a drain says when files cannot leave the OST because of their OST pool: the MDS makes a
 * file's new objects only on OSTs of its pool, and every OST of that pool has creation stopped
 * (the drained OST alone, or it and others being drained). Lustre will not place them elsewhere,
 * and the driver does not move files out of a pool an admin chose for them, so the drain stays at
 * Migrating until the admin changes the pool; the message names the pool and what to do.
 */
final class PoolBlock {
  /** The Event's reason. */
  static final String REASON = "DrainBlockedByPool";

  private PoolBlock() {}

  static String message(String ost, MigrateOstFilesResponse batch) {
    String pool = batch.getStuckPool();
    String members = String.join(", ", batch.getStuckPoolOstsList());
    return "blocked: " + batch.getFilesStuckInPool() + " files are in OST pool " + pool + ", and no OST of the pool takes new objects ("
        + members + (batch.getStuckPoolOstsCount() == 1 ? " is" : " are") + " being drained); Lustre makes a file's objects in its own"
        + " pool only, so lfs migrate cannot move them off " + ost + " (No space left on device). Add an OST that stays to the pool"
        + " (on the MGS: lctl pool_add " + pool + " OSTxxxx), or move these files to another pool (lfs migrate -p POOL FILE); the"
        + " drain then goes on by itself";
  }
}
