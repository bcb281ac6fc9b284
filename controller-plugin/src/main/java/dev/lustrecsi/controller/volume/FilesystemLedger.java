package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per filesystem, the capacity committed to volumes and the project ids handed out, kept in
 * memory so that CreateVolume's critical section does no I/O.
 *
 * <p>Committed capacity is the sum of the journal's volumes plus reservations whose records are
 * being written; it is rebuilt from the journal on start, where an unwritten reservation simply
 * never happened. Project ids are taken from blocks of {@value #PROJECT_ID_BLOCK}: the journal
 * records the end of the current block before any id in it is used, so after a crash numbering
 * resumes past the block and an id is never handed out twice, even if a few are skipped.
 */
final class FilesystemLedger {
  static final int PROJECT_ID_BLOCK = 64;

  private final VolumeJournal journal;
  private final Map<String, Account> accounts = new HashMap<>();

  FilesystemLedger(VolumeJournal journal) {
    this.journal = journal;
  }

  /** One filesystem's books; guarded by the ledger's monitor. */
  private static final class Account {
    long committed;
    int nextProjectId;
    /** End (exclusive) of the block this ledger has claimed in the journal. */
    int blockEnd;
  }

  /** Claims in a row lost to other controllers before giving up with a retryable error. */
  private static final int MAX_CLAIM_ATTEMPTS = 10;

  /**
   * Commits {@code bytes} more to the filesystem, or throws {@code onLimit} when its growth limit
   * would be passed; {@code fs} is recorded in the journal first if it is new.
   */
  synchronized void reserve(FilesystemRecord fs, long bytes, Supplier<CsiException> onLimit) {
    Account account = account(fs);
    if (account.committed + bytes > limit(fs)) {
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

  /** A project id no volume of this filesystem has had. */
  synchronized int takeProjectId(FilesystemRecord fs) {
    Account account = account(fs);
    if (account.nextProjectId >= account.blockEnd) {
      claimBlock(fs.fsName(), account);
    }
    return account.nextProjectId++;
  }

  /**
   * Moves the journal's mark a block ahead and takes the ids below it. The block starts at the
   * mark as freshly read, not at this ledger's count: another controller sharing the journal may
   * have claimed blocks meanwhile, and its write wins a race (ours then fails and is redone).
   */
  private void claimBlock(String fsName, Account account) {
    for (int attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      FilesystemRecord recorded = journal.filesystem(fsName).orElseThrow();
      int start = Math.max(recorded.nextProjectId(), account.nextProjectId);
      try {
        journal.put(recorded.withNextProjectId(start + PROJECT_ID_BLOCK));
      } catch (StaleRecordException lostTheRace) {
        continue;
      }
      account.nextProjectId = start;
      account.blockEnd = start + PROJECT_ID_BLOCK;
      return;
    }
    throw CsiException.aborted("could not claim project ids for filesystem " + fsName + ": other controllers kept writing its record");
  }

  synchronized long committed(String fsName) {
    return journal.filesystem(fsName).map(this::account).map(a -> a.committed).orElse(0L);
  }

  /** Capacity still free before the growth limit. */
  synchronized long available(FilesystemRecord fs) {
    return Math.max(0, limit(fs) - account(fs).committed);
  }

  static long limit(FilesystemRecord fs) {
    return fs.capacityLimit();
  }

  static String describeLimit(FilesystemRecord fs) {
    return fs.maxOsts() + " OSTs of " + Sizes.format(fs.ostSize());
  }

  private Account account(FilesystemRecord fs) {
    return accounts.computeIfAbsent(fs.fsName(), name -> {
      if (journal.filesystem(name).isEmpty()) {
        try {
          journal.put(fs);
        } catch (StaleRecordException createdElsewhere) {
          // Another controller recorded the filesystem first; its record is read below.
        }
      }
      Account account = new Account();
      account.committed = journal.volumes().stream()
          .filter(v -> v.id().fsName().equals(name))
          .mapToLong(VolumeRecord::capacityBytes)
          .sum();
      // Everything below the recorded mark may have been handed out before a restart.
      account.nextProjectId = journal.filesystem(name).orElseThrow().nextProjectId();
      account.blockEnd = account.nextProjectId;
      return account;
    });
  }
}
