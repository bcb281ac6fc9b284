package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.controller.cluster.LustreBackend;
import dev.lustrecsi.controller.lustre.FilesystemState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Per filesystem, the capacity committed to volumes and the project ids this controller hands
 * out. Neither is a record of its own: committed capacity is what the volume records hold, plus
 * what this controller's writes in flight will record ({@link CommittedCapacity}, kept current
 * from the records of every replica), and the project-id mark lives in the LustreFilesystem's
 * status.
 *
 * <p>Committed capacity is kept in memory so that CreateVolume's one filesystem-wide critical
 * section, the check-and-reserve, does no I/O. Writing it to the status per volume would put one
 * conditional write on one shared object in every CreateVolume, and concurrent calls would queue
 * behind each other's resourceVersion; the reconciler writes the sum to the status instead.
 *
 * <p>Project ids are claimed in blocks of {@value #PROJECT_ID_BLOCK}: the status's mark moves
 * past a block before any id in it is used, so after a crash numbering resumes past the block
 * and an id is never handed out twice, even if a few are skipped.
 */
final class FilesystemLedger {
  static final int PROJECT_ID_BLOCK = 64;

  /**
   * Moves a filesystem's project-id mark past up to {@code count} ids from at least {@code
   * atLeast}; returns the block claimed (shorter at the end of a site's range).
   */
  @FunctionalInterface
  interface ProjectIdClaims {
    LustreBackend.ProjectIdBlock claim(String fsName, int atLeast, int count);
  }

  private final CommittedCapacity capacity;
  private final ProjectIdClaims claims;
  private final Map<String, ProjectIds> projectIds = new ConcurrentHashMap<>();

  /**
   * @param capacity what the volume records commit, as the journal sees them
   * @param claims where project-id blocks are claimed
   */
  FilesystemLedger(CommittedCapacity capacity, ProjectIdClaims claims) {
    this.capacity = capacity;
    this.claims = claims;
  }

  /** One filesystem's project ids: the next to hand out, within the block claimed. */
  private static final class ProjectIds {
    final ReentrantLock lock = new ReentrantLock();
    int next;
    /** End (exclusive) of the block this ledger has claimed. */
    int blockEnd;
  }

  /**
   * Counts {@code bytes} as the volume {@code name}'s committed capacity (its size, or its new size
   * when expanded) while its record is written, or throws {@code onLimit} when that would take the
   * filesystem past its growth limit. Close the reservation once the write has returned or failed.
   */
  CommittedCapacity.Reservation reserve(String name, FilesystemState fs, long bytes, Supplier<CsiException> onLimit) {
    return capacity.reserve(name, fs.spec().fsName(), bytes, fs.capacityLimit(), onLimit);
  }

  long committed(String fsName) {
    return capacity.committed(fsName);
  }

  /** Capacity still free before the growth limit. */
  long available(FilesystemState fs) {
    return Math.max(0, fs.capacityLimit() - capacity.committed(fs.spec().fsName()));
  }

  /** A project id no volume of this filesystem has had. */
  int takeProjectId(String fsName) {
    ProjectIds ids = projectIds.computeIfAbsent(fsName, name -> new ProjectIds());
    ids.lock.lock();
    try {
      if (ids.next >= ids.blockEnd) {
        // The block starts at the mark as freshly read, not at this ledger's count: another
        // controller may have claimed blocks meanwhile.
        LustreBackend.ProjectIdBlock block = claims.claim(fsName, ids.next, PROJECT_ID_BLOCK);
        ids.next = block.first();
        ids.blockEnd = block.end();
      }
      return ids.next++;
    } finally {
      ids.lock.unlock();
    }
  }
}
