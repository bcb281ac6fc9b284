package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.controller.cluster.LustreBackend;
import dev.lustrecsi.controller.lustre.FilesystemState;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Per filesystem, the capacity committed to volumes and the project ids this controller hands
 * out. Neither is a record of its own: committed capacity is the sum of the volume records plus
 * the reservations whose records are being written (rebuilt from the records after a restart,
 * where an unwritten reservation simply never happened), and the project-id mark lives in the
 * LustreFilesystem's status.
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

  private final ToLongFunction<String> recordedCommitted;
  private final ProjectIdClaims claims;
  private final Map<String, Account> accounts = new HashMap<>();

  /**
   * @param recordedCommitted the capacity of a filesystem's volume records, read once per filesystem
   * @param claims where project-id blocks are claimed
   */
  FilesystemLedger(ToLongFunction<String> recordedCommitted, ProjectIdClaims claims) {
    this.recordedCommitted = recordedCommitted;
    this.claims = claims;
  }

  /** One filesystem's books: capacity under the ledger's monitor, project ids under their own lock. */
  private static final class Account {
    long committed;
    final ReentrantLock ids = new ReentrantLock();
    int nextProjectId;
    /** End (exclusive) of the block this ledger has claimed. */
    int blockEnd;
  }

  /** Commits {@code bytes} more to the filesystem, or throws {@code onLimit} when its growth limit would be passed. */
  synchronized void reserve(FilesystemState fs, long bytes, Supplier<CsiException> onLimit) {
    Account account = account(fs.spec().fsName());
    if (account.committed + bytes > fs.capacityLimit()) {
      throw onLimit.get();
    }
    account.committed += bytes;
  }

  /** Returns capacity to the filesystem: its volume was deleted, or its record never written. */
  synchronized void release(String fsName, long bytes) {
    Account account = accounts.get(fsName);
    if (account != null) {
      account.committed -= bytes;
    }
  }

  synchronized long committed(String fsName) {
    return account(fsName).committed;
  }

  /** Capacity still free before the growth limit. */
  synchronized long available(FilesystemState fs) {
    return Math.max(0, fs.capacityLimit() - account(fs.spec().fsName()).committed);
  }

  /** A project id no volume of this filesystem has had. */
  int takeProjectId(String fsName) {
    Account account;
    synchronized (this) {
      account = account(fsName);
    }
    account.ids.lock();
    try {
      if (account.nextProjectId >= account.blockEnd) {
        // The block starts at the mark as freshly read, not at this ledger's count: another
        // controller may have claimed blocks meanwhile.
        LustreBackend.ProjectIdBlock block = claims.claim(fsName, account.nextProjectId, PROJECT_ID_BLOCK);
        account.nextProjectId = block.first();
        account.blockEnd = block.end();
      }
      return account.nextProjectId++;
    } finally {
      account.ids.unlock();
    }
  }

  private Account account(String fsName) {
    return accounts.computeIfAbsent(fsName, name -> {
      Account account = new Account();
      account.committed = recordedCommitted.applyAsLong(name);
      return account;
    });
  }
}
