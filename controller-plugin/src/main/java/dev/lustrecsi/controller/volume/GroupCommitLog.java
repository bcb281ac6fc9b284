package dev.lustrecsi.controller.volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An append-only file of records, made durable in groups. A writer appends its record, then waits
 * until an fsync covers it; whoever gets to fsync first covers every record appended before it
 * started, so sixteen concurrent writers pay for one or two fsyncs instead of sixteen.
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
  private record Pending(long sequence, Runnable onDurable) {}

  private final Object appendLock = new Object();
  private final ReentrantLock syncLock = new ReentrantLock();
  private FileChannel channel;
  private long appended;
  private long size;
  private final List<Pending> pending = new ArrayList<>();
  private volatile long durable;
  private volatile IOException failure;

  /** Opens {@code file} for appending after its first {@code validLength} bytes (a torn tail beyond them is cut). */
  GroupCommitLog(Path file, long validLength) {
    this.channel = openTruncated(file, validLength);
    this.size = validLength;
  }

  /** Appends one record and returns once it is durable and {@code onDurable} has run. */
  void append(byte[] record, Runnable onDurable) {
    long sequence;
    synchronized (appendLock) {
      requireHealthy();
      try {
        writeFully(channel, ByteBuffer.wrap(record));
      } catch (IOException e) {
        failure = e;
        throw new UncheckedIOException("cannot append to the volume journal", e);
      }
      size += record.length;
      sequence = ++appended;
      pending.add(new Pending(sequence, onDurable));
    }
    awaitDurable(sequence);
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
        syncPending();
        FileChannel next = openTruncated(nextFile.get(), 0);
        closeQuietly(channel);
        channel = next;
        size = 0;
      }
    } finally {
      syncLock.unlock();
    }
  }

  private void awaitDurable(long sequence) {
    syncLock.lock();
    try {
      if (durable >= sequence) {
        return;
      }
      requireHealthy();
      List<Pending> batch;
      long target;
      synchronized (appendLock) {
        batch = new ArrayList<>(pending);
        pending.clear();
        target = appended;
      }
      force();
      batch.forEach(p -> p.onDurable().run());
      durable = target;
    } finally {
      syncLock.unlock();
    }
  }

  /** Under both locks: fsync and apply what is pending. */
  private void syncPending() {
    force();
    pending.forEach(p -> p.onDurable().run());
    pending.clear();
    durable = appended;
  }

  private void force() {
    try {
      channel.force(false);
    } catch (IOException e) {
      failure = e;
      throw new UncheckedIOException("cannot fsync the volume journal", e);
    }
  }

  private void requireHealthy() {
    if (failure != null) {
      throw new IllegalStateException("the volume journal failed earlier (" + failure.getMessage()
          + "); restart the controller, which rereads it", failure);
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

  private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Everything in it is durable already; a failing close loses nothing.
    }
  }

  @Override
  public void close() {
    synchronized (appendLock) {
      closeQuietly(channel);
    }
  }
}
