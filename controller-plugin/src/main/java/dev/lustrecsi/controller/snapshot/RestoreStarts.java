package dev.lustrecsi.controller.snapshot;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Restores starting from snapshots, and deletions deciding on snapshots, each kept from the other.
 * A restore is seen by a deletion through its volume record once that is written; before, from
 * the moment the restore checked the snapshot exists, only here. Without this a DeleteSnapshot
 * arriving in between would find no restore and destroy the snapshot the restore then records
 * as its source. By snapshot id; nothing is kept for a snapshot nobody is restoring or deleting.
 */
final class RestoreStarts {
  /** How many restores from each snapshot are starting. */
  private final Map<String, Integer> starting = new HashMap<>();
  /** How many deletions are deciding on, or deleting, each snapshot (a group's and a member's own may overlap). */
  private final Map<String, Integer> deleting = new HashMap<>();

  /** Counts a restore from the snapshot as starting, unless a deletion of it is in progress. */
  synchronized boolean start(String snapshotId) {
    if (deleting.containsKey(snapshotId)) {
      return false;
    }
    starting.merge(snapshotId, 1, Integer::sum);
    return true;
  }

  /** The restore's record is written (or it failed before): the record speaks for it from now on. */
  synchronized void started(String snapshotId) {
    starting.computeIfPresent(snapshotId, (id, count) -> count == 1 ? null : count - 1);
  }

  /**
   * Marks the snapshots as being deleted, all or none: returns those with a restore starting
   * (none were marked then), or an empty list once all of them are marked.
   */
  synchronized List<String> delete(Collection<String> snapshotIds) {
    List<String> restoring = snapshotIds.stream().filter(starting::containsKey).sorted().toList();
    if (restoring.isEmpty()) {
      snapshotIds.forEach(id -> deleting.merge(id, 1, Integer::sum));
    }
    return restoring;
  }

  /** The deletion is over, done or refused. */
  synchronized void deleted(Collection<String> snapshotIds) {
    snapshotIds.forEach(id -> deleting.computeIfPresent(id, (key, count) -> count == 1 ? null : count - 1));
  }
}
