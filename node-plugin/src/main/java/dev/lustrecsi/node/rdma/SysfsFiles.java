package dev.lustrecsi.node.rdma;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Reading sysfs and procfs entries that may be missing. */
final class SysfsFiles {
  private SysfsFiles() {}

  /** The directory's entries, sorted; none when it does not exist. */
  static List<Path> children(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    }
  }

  /** The file's text, stripped; empty when it does not exist. */
  static Optional<String> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(Files.readString(file).strip());
  }

  /**
   * The file's text, or empty also when reading it fails: some attributes answer EINVAL in some
   * states ({@code carrier} of an interface that is down).
   */
  static Optional<String> readIfReadable(Path file) {
    try {
      return read(file);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
