package dev.lustrecsi.controller.volume;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustrecsi.common.json.Json;
import dev.lustrecsi.common.volume.VolumeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The volume journal of a controller without a Kubernetes API (the sandbox, the conformance suite,
 * the benchmark): a snapshot file plus an append-only log of the changes since, in one directory
 * owned by one process. Everything is held in memory and written through.
 *
 * <p>A write appends one JSON line to the log and returns once an fsync covers it; concurrent
 * writes share their fsyncs ({@link GroupCommitLog}). When the log passes a size, the state is
 * written to a new snapshot and a new, empty log begins. Files and their order:
 *
 * <ul>
 *   <li>{@code snapshot.json}: the state and the generation G of the log that continues it;
 *   <li>{@code journal-G.log}: one change per line. A crash can leave a torn last line, which no
 *       caller was told had succeeded; it is cut on open. A bad line anywhere else is corruption,
 *       and opening fails rather than forget volumes.
 * </ul>
 *
 * <p>Compaction writes {@code journal-(G+1).log} (empty) first and renames the new snapshot over
 * the old one last, so a crash at any step leaves one consistent pair; files of other generations
 * are leftovers and are removed on open. A directory written by earlier versions (one file per
 * record under {@code volumes/} and {@code filesystems/}) is read once and folded into a snapshot.
 */
public final class FileVolumeJournal implements VolumeJournal, AutoCloseable {
  /** Past this size the log is folded into a snapshot; small enough to replay in well under a second. */
  static final long COMPACT_AT_BYTES = 8L << 20;

  private static final ObjectMapper JSON = Json.mapper();
  private static final String SNAPSHOT = "snapshot.json";

  /** One line of the log. */
  record Change(Kind kind, VolumeRecord volume, FilesystemRecord filesystem) {
    enum Kind { PUT_VOLUME, REMOVE_VOLUME, PUT_FILESYSTEM }
  }

  /** The content of {@code snapshot.json}. */
  record Snapshot(long generation, List<VolumeRecord> volumes, List<FilesystemRecord> filesystems) {}

  private final Path directory;
  private final long compactAtBytes;
  private final ConcurrentMap<String, VolumeRecord> byName = new ConcurrentHashMap<>();
  private final ConcurrentMap<VolumeId, VolumeRecord> byId = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, FilesystemRecord> filesystems = new ConcurrentHashMap<>();
  private final AtomicBoolean compacting = new AtomicBoolean();
  private final GroupCommitLog log;
  private long generation;

  public FileVolumeJournal(Path directory) {
    this(directory, COMPACT_AT_BYTES);
  }

  FileVolumeJournal(Path directory, long compactAtBytes) {
    this.directory = directory;
    this.compactAtBytes = compactAtBytes;
    try {
      Files.createDirectories(directory);
      boolean legacy = false;
      Path snapshotFile = directory.resolve(SNAPSHOT);
      if (Files.exists(snapshotFile)) {
        Snapshot snapshot = JSON.readValue(snapshotFile.toFile(), Snapshot.class);
        generation = snapshot.generation();
        snapshot.volumes().forEach(this::applyPut);
        snapshot.filesystems().forEach(fs -> filesystems.put(fs.fsName(), fs));
      } else {
        legacy = LegacyRecords.load(directory, this::applyPut, fs -> filesystems.put(fs.fsName(), fs));
      }
      Path logFile = logFile(generation);
      long validLength = Files.exists(logFile) ? replay(logFile) : 0;
      removeLeftovers();
      this.log = new GroupCommitLog(logFile, validLength);
      if (legacy) {
        compact();
        LegacyRecords.remove(directory);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the volume journal from " + directory, e);
    }
  }

  @Override
  public Optional<VolumeRecord> byName(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @Override
  public Optional<VolumeRecord> byId(VolumeId id) {
    return Optional.ofNullable(byId.get(id));
  }

  @Override
  public List<VolumeRecord> volumes() {
    List<VolumeRecord> all = new ArrayList<>(byId.values());
    all.sort(Comparator.comparing(v -> v.id().toString()));
    return all;
  }

  @Override
  public void put(VolumeRecord volume) {
    append(new Change(Change.Kind.PUT_VOLUME, volume, null), () -> applyPut(volume));
  }

  /** Appended even when the volume is unknown here: a put of it may be on its way to the disk. */
  @Override
  public void remove(VolumeRecord volume) {
    append(new Change(Change.Kind.REMOVE_VOLUME, volume, null), () -> applyRemove(volume));
  }

  @Override
  public Optional<FilesystemRecord> filesystem(String fsName) {
    return Optional.ofNullable(filesystems.get(fsName));
  }

  @Override
  public List<FilesystemRecord> filesystems() {
    return filesystems.values().stream().sorted(Comparator.comparing(FilesystemRecord::fsName)).toList();
  }

  /** One process owns the directory, so nobody else can have changed the record: no staleness check. */
  @Override
  public void put(FilesystemRecord filesystem) {
    append(new Change(Change.Kind.PUT_FILESYSTEM, null, filesystem), () -> filesystems.put(filesystem.fsName(), filesystem));
  }

  @Override
  public void close() {
    log.close();
  }

  private void append(Change change, Runnable apply) {
    log.append(line(change), apply);
    if (log.size() >= compactAtBytes && compacting.compareAndSet(false, true)) {
      try {
        compact();
      } finally {
        compacting.set(false);
      }
    }
  }

  private void compact() {
    log.switchFile(() -> {
      long next = generation + 1;
      Path nextLog = logFile(next);
      Path snapshotFile = directory.resolve(SNAPSHOT);
      Path temporary = directory.resolve(SNAPSHOT + ".tmp");
      try {
        byte[] state = JSON.writeValueAsBytes(new Snapshot(next, volumes(), filesystems()));
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
          channel.write(java.nio.ByteBuffer.wrap(state));
          channel.force(true);
        }
        Files.deleteIfExists(nextLog);
        Files.createFile(nextLog);
        fsyncDirectory();
        moveAtomically(temporary, snapshotFile);
        fsyncDirectory();
        Files.deleteIfExists(logFile(generation));
        generation = next;
        return nextLog;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write a snapshot of the volume journal in " + directory, e);
      }
    });
  }

  /** Applies the log's complete lines and returns the length they cover. */
  private long replay(Path logFile) throws IOException {
    byte[] bytes = Files.readAllBytes(logFile);
    // The log is written over zeros laid down ahead of it (GroupCommitLog), and no record holds a
    // zero byte: the first one ends what was written. Bytes past it were never covered by an fsync,
    // since every fsync covers all that was written before it, so no caller was told of them.
    int written = indexOf(bytes, (byte) 0, 0);
    int length = written < 0 ? bytes.length : written;
    int start = 0;
    while (start < length) {
      int end = indexOf(bytes, (byte) '\n', start);
      end = end >= length ? -1 : end;
      boolean last = end < 0 || end == length - 1;
      Change change = end < 0 ? null : parse(bytes, start, end);
      if (change == null) {
        if (last) {
          return start;  // torn by a crash before its fsync: nobody was told it succeeded
        }
        throw new IOException("volume journal " + logFile + " is corrupt at byte " + start
            + " (a bad line before the last one); restore it from a backup or repair it by hand");
      }
      applyReplayed(change);
      start = end + 1;
    }
    return start;
  }

  private void applyReplayed(Change change) {
    switch (change.kind()) {
      case PUT_VOLUME -> applyPut(change.volume());
      case REMOVE_VOLUME -> applyRemove(change.volume());
      case PUT_FILESYSTEM -> filesystems.put(change.filesystem().fsName(), change.filesystem());
    }
  }

  private void applyPut(VolumeRecord volume) {
    byName.put(volume.name(), volume);
    byId.put(volume.id(), volume);
  }

  private void applyRemove(VolumeRecord volume) {
    byName.remove(volume.name());
    byId.remove(volume.id());
  }

  private static Change parse(byte[] bytes, int start, int end) {
    try {
      Change change = JSON.readValue(bytes, start, end - start, Change.class);
      boolean complete = change.kind() != null
          && (change.kind() == Change.Kind.PUT_FILESYSTEM ? change.filesystem() != null : change.volume() != null);
      return complete ? change : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] line(Change change) {
    try {
      byte[] json = JSON.writeValueAsBytes(change);
      byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
      line[json.length] = '\n';
      return line;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a journal record did not serialise", e);
    }
  }

  private static int indexOf(byte[] bytes, byte wanted, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  private Path logFile(long gen) {
    return directory.resolve("journal-" + gen + ".log");
  }

  /** Logs of other generations and temporary snapshots are what an interrupted compaction leaves. */
  private void removeLeftovers() throws IOException {
    String current = logFile(generation).getFileName().toString();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        boolean staleLog = name.startsWith("journal-") && name.endsWith(".log") && !name.equals(current);
        if (staleLog || name.equals(SNAPSHOT + ".tmp")) {
          Files.delete(file);
        }
      }
    }
  }

  private void fsyncDirectory() throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
