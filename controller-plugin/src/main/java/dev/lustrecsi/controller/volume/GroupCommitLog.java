package dev.lustrecsi.controller.volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An append-only file of records, made durable in groups. A writer appends its record and waits
 * for the batch it landed in; one syncer thread fsyncs batch after batch, each covering every
 * record appended while the previous fsync ran, so sixteen concurrent writers pay for one or two
 * fsyncs instead of sixteen.
 *
 * <p>The end of a batch wakes all its writers at once. (Handing a lock from writer to writer, as
 * an earlier version did, woke them one at a time: each waited for a turn on a busy CPU before
 * it could even see that its record was durable, and that queue, not the disk, set the latency.)
 *
 * <p>Each record carries an action that runs once the record is durable, in the order the records
 * were appended: callers update their in-memory view there, so nobody reads a state that a crash
 * could still take back, and the view changes in the same order as a replay of the file would.
 *
 * <p>After a failed write or fsync the log refuses every further write: what reached the disk is
 * unknown (Linux may drop dirty pages after a failed fsync), and only a restart, which rereads the
 * file, knows again.
 */
final class GroupCommitLog implements AutoCloseable {
  /** The log grows by this much at a time, written with zeros ahead of the records. */
  static final long PREALLOCATION_CHUNK = 1L << 20;

  /** The records appended since the last fsync began, and the future their writers wait on. */
  private static final class Batch {
    final List<Runnable> onDurable = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
  }

  /** Guards {@code size}, {@code open}, {@code batch}, and the channel against a switch of files. */
  private final Object appendLock = new Object();
  /** Held while a batch is fsynced and applied, so that {@link #switchFile} sees none half done. */
  private final ReentrantLock syncLock = new ReentrantLock();
  private final Thread syncer;
  private FileChannel channel;
  private long size;
  /** Bytes the file holds on disk: the records, then zeros written ahead of them. */
  private volatile long allocated;
  /** Held while zeros are written past {@code allocated}, by the syncer ahead of time or by a writer that ran out. */
  private final Object extendLock = new Object();
  private boolean open = true;
  private Batch batch = new Batch();
  private volatile IOException failure;

  /** Opens {@code file} for appending after its first {@code validLength} bytes (a torn tail beyond them is cut). */
  GroupCommitLog(Path file, long validLength) {
    this.channel = openTruncated(file, validLength);
    this.size = validLength;
    this.allocated = validLength;
    extendTo(validLength + PREALLOCATION_CHUNK);
    // A platform thread: fsync blocks in the kernel, and a virtual thread would hold a carrier.
    this.syncer = Thread.ofPlatform().daemon().name("volume-journal-sync").start(this::syncBatches);
  }

  /** Appends one record and returns once it is durable and {@code onDurable} has run. */
  void append(byte[] record, Runnable onDurable) {
    CompletableFuture<Void> durable;
    synchronized (appendLock) {
      requireHealthy();
      try {
        if (size + record.length > allocated) {
          extendTo(size + record.length + PREALLOCATION_CHUNK);  // the syncer fell behind: rare
        }
        writeFully(channel, ByteBuffer.wrap(record), size);
      } catch (IOException e) {
        failure = e;
        throw new UncheckedIOException("cannot append to the volume journal", e);
      }
      size += record.length;
      batch.onDurable.add(onDurable);
      durable = batch.done;
      if (batch.onDurable.size() == 1) {
        appendLock.notifyAll();  // the syncer sleeps only while the batch is empty
      }
    }
    try {
      durable.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  /** Bytes in the current file. */
  long size() {
    synchronized (appendLock) {
      return size;
    }
  }

  /**
   * Stops all writers, makes everything appended durable and applied, then continues in the file
   * that {@code nextFile} returns (it must exist, empty): the caller has saved the state elsewhere
   * by then, so the old file is no longer needed.
   */
  void switchFile(Supplier<Path> nextFile) {
    syncLock.lock();
    try {
      synchronized (appendLock) {
        requireHealthy();
        complete(takeBatch());
        FileChannel next = openTruncated(nextFile.get(), 0);
        trimAndClose(channel, size);
        channel = next;
        size = 0;
        allocated = 0;
        extendTo(PREALLOCATION_CHUNK);
      }
    } finally {
      syncLock.unlock();
    }
  }

  private void syncBatches() {
    try {
      syncUntilClosed();
    } catch (RuntimeException | Error e) {
      // Nothing below should throw; if something does, writers must not wait for ever.
      synchronized (appendLock) {
        failure = new IOException("the volume journal's sync thread failed: " + e, e);
        takeBatch().done.completeExceptionally(e);
      }
      throw e;
    }
  }

  private void syncUntilClosed() {
    while (true) {
      synchronized (appendLock) {
        while (open && batch.onDurable.isEmpty()) {
          waitForRecords();
        }
        if (batch.onDurable.isEmpty()) {
          return;  // closed, nothing left to sync
        }
      }
      syncLock.lock();
      try {
        Batch toSync;
        synchronized (appendLock) {
          toSync = takeBatch();  // empty if switchFile synced it meanwhile
        }
        complete(toSync);
        extendAhead();
      } finally {
        syncLock.unlock();
      }
    }
  }

  /**
   * Under the sync lock: lays the next chunk of zeros down once less than half a chunk is left,
   * here rather than in a writer, whose append lock would stop every other writer meanwhile.
   */
  private void extendAhead() {
    if (failure == null && allocated - size() < PREALLOCATION_CHUNK / 2) {
      try {
        extendTo(allocated + PREALLOCATION_CHUNK);
      } catch (UncheckedIOException e) {
        // A writer that runs out of zeros extends the file itself, and reports the failure then.
      }
    }
  }

  /** Under the append lock: the batch to sync now; later records start the next one. */
  private Batch takeBatch() {
    Batch taken = batch;
    batch = new Batch();
    return taken;
  }

  /** Fsyncs, then applies the batch's records in order and wakes their writers; or fails them all. */
  private void complete(Batch toSync) {
    if (toSync.onDurable.isEmpty()) {
      toSync.done.complete(null);
      return;
    }
    if (failure != null) {
      // Appended before an earlier write or fsync failed: a later fsync may succeed without
      // these bytes having reached the disk, so they are not reported durable.
      toSync.done.completeExceptionally(new IllegalStateException(
          "the volume journal failed earlier (" + failure.getMessage() + ")", failure));
      return;
    }
    try {
      channel.force(false);
    } catch (IOException e) {
      failure = e;
      toSync.done.completeExceptionally(new UncheckedIOException("cannot fsync the volume journal", e));
      return;
    } catch (RuntimeException | Error e) {
      toSync.done.completeExceptionally(e);
      return;
    }
    try {
      toSync.onDurable.forEach(Runnable::run);
      toSync.done.complete(null);
    } catch (RuntimeException | Error e) {
      toSync.done.completeExceptionally(e);
    }
  }

  private void waitForRecords() {
    try {
      appendLock.wait();
    } catch (InterruptedException e) {
      // Only close() ends the syncer; it sets open first, so the loop above sees it.
    }
  }

  private void requireHealthy() {
    if (failure != null) {
      throw new IllegalStateException("the volume journal failed earlier (" + failure.getMessage()
          + "); restart the controller, which rereads it", failure);
    }
    if (!open) {
      throw new IllegalStateException("the volume journal is closed");
    }
  }

  private static FileChannel openTruncated(Path file, long length) {
    try {
      FileChannel opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      opened.truncate(length);
      opened.position(length);
      return opened;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the volume journal " + file, e);
    }
  }

  /**
   * Writes zeros from the end of what is allocated up to the next whole chunk at or past
   * {@code end}, and makes them durable. Records then overwrite blocks that exist, so the fsync
   * that covers a record flushes data only: when an append grows the file instead, every fsync
   * must also commit the new size through the filesystem's journal, and wait there behind whatever
   * else is being created or renamed on the same disk (the simulated Lustre, in the sandbox).
   * Readers take the first zero byte as the end.
   *
   * <p>Called from the constructor before the syncer starts, and afterwards only with the sync
   * lock or the append lock held (both, when switching files): the channel does not change
   * meanwhile, and writers append only below {@code allocated}, where these zeros never land.
   */
  private void extendTo(long end) {
    synchronized (extendLock) {
      long from = allocated;
      long to = (end + PREALLOCATION_CHUNK - 1) / PREALLOCATION_CHUNK * PREALLOCATION_CHUNK;
      if (to <= from) {
        return;
      }
      try {
        writeFully(channel, ByteBuffer.allocate((int) (to - from)), from);
        channel.force(true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot extend the volume journal", e);
      }
      allocated = to;
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
    while (bytes.hasRemaining()) {
      position += channel.write(bytes, position);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Everything in it is durable already; a failing close loses nothing.
    }
  }

  /** Lets the syncer finish what was appended, then closes the file. */
  @Override
  public void close() {
    synchronized (appendLock) {
      open = false;
      appendLock.notifyAll();
    }
    try {
      syncer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (appendLock) {
      if (failure == null) {
        trimAndClose(channel, size);
      } else {
        closeQuietly(channel);
      }
    }
  }

  /** A file the log is done with ends with its last record, without the zeros laid ahead. */
  private static void trimAndClose(FileChannel channel, long size) {
    try {
      channel.truncate(size);
    } catch (IOException ignored) {
      // The zeros stay; readers stop at the first of them anyway.
    } finally {
      closeQuietly(channel);
    }
  }
}
