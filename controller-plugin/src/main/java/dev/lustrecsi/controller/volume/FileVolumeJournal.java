package dev.lustrecsi.controller.volume;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustrecsi.common.volume.VolumeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

/**
 * A journal of one JSON file per record in a directory, loaded into memory at start and written
 * through. Each write goes to a temporary file, is fsynced, and renamed over the old one, so a
 * crash leaves either the old record or the new, never half of one.
 */
public final class FileVolumeJournal implements VolumeJournal {
  private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path volumesDir;
  private final Path filesystemsDir;
  private final ConcurrentMap<String, VolumeRecord> byName = new ConcurrentHashMap<>();
  private final ConcurrentMap<VolumeId, VolumeRecord> byId = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, FilesystemRecord> filesystems = new ConcurrentHashMap<>();

  public FileVolumeJournal(Path directory) {
    this.volumesDir = directory.resolve("volumes");
    this.filesystemsDir = directory.resolve("filesystems");
    try {
      Files.createDirectories(volumesDir);
      Files.createDirectories(filesystemsDir);
      for (Path file : jsonFiles(volumesDir)) {
        VolumeRecord volume = JSON.readValue(file.toFile(), VolumeRecord.class);
        byName.put(volume.name(), volume);
        byId.put(volume.id(), volume);
      }
      for (Path file : jsonFiles(filesystemsDir)) {
        FilesystemRecord fs = JSON.readValue(file.toFile(), FilesystemRecord.class);
        filesystems.put(fs.fsName(), fs);
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
    write(volumesDir.resolve(fileName(volume.name())), volume);
    byName.put(volume.name(), volume);
    byId.put(volume.id(), volume);
  }

  @Override
  public void remove(VolumeRecord volume) {
    try {
      Files.deleteIfExists(volumesDir.resolve(fileName(volume.name())));
      fsync(volumesDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove journal record of " + volume.id(), e);
    }
    byName.remove(volume.name());
    byId.remove(volume.id());
  }

  @Override
  public Optional<FilesystemRecord> filesystem(String fsName) {
    return Optional.ofNullable(filesystems.get(fsName));
  }

  @Override
  public List<FilesystemRecord> filesystems() {
    return filesystems.values().stream().sorted(Comparator.comparing(FilesystemRecord::fsName)).toList();
  }

  @Override
  public void put(FilesystemRecord filesystem) {
    write(filesystemsDir.resolve(filesystem.fsName() + ".json"), filesystem);
    filesystems.put(filesystem.fsName(), filesystem);
  }

  /** Names are arbitrary CO strings; a hash makes them safe, fixed-length file names. */
  private static String fileName(String name) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 20) + ".json";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path target, Object record) {
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      byte[] bytes = JSON.writeValueAsBytes(record);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(java.nio.ByteBuffer.wrap(bytes));
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      fsync(target.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write journal record " + target, e);
    }
  }

  private static void fsync(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static List<Path> jsonFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).toList();
    }
  }
}
