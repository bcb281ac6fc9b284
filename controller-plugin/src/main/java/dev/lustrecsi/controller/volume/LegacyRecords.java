package dev.lustrecsi.controller.volume;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustrecsi.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The journal layout of earlier versions: one JSON file per record under {@code volumes/} and
 * {@code filesystems/}. Read once, when a directory has no snapshot yet, so a sandbox state
 * directory made by an earlier version keeps its volumes after an upgrade.
 */
final class LegacyRecords {
  private static final ObjectMapper JSON = Json.mapper();

  private LegacyRecords() {}

  /** Feeds every legacy record to the consumers; returns whether there was a legacy layout. */
  static boolean load(Path directory, Consumer<VolumeRecord> volumes, Consumer<FilesystemRecord> filesystems) throws IOException {
    Path volumesDir = directory.resolve("volumes");
    Path filesystemsDir = directory.resolve("filesystems");
    if (!Files.isDirectory(volumesDir) && !Files.isDirectory(filesystemsDir)) {
      return false;
    }
    for (Path file : jsonFiles(volumesDir)) {
      volumes.accept(JSON.readValue(file.toFile(), VolumeRecord.class));
    }
    for (Path file : jsonFiles(filesystemsDir)) {
      filesystems.accept(JSON.readValue(file.toFile(), FilesystemRecord.class));
    }
    return true;
  }

  /** Called once a snapshot holds everything the legacy files did. */
  static void remove(Path directory) throws IOException {
    for (String dir : List.of("volumes", "filesystems")) {
      Path path = directory.resolve(dir);
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.walk(path)) {
          for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(file);
          }
        }
      }
    }
  }

  private static List<Path> jsonFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }
}
