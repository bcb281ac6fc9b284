package dev.lustrecsi.agent.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Why the VM's setup leaves targets down: it keeps one file per target (named by the target's
 * serial, one line, written whole and renamed into place) while that target's pool is not
 * imported, and removes it once it is. The agent reports them with its health, so that the
 * controller's status says why a target is down and not only that it is.
 */
final class SetupProblems {
  private final Path directory;

  SetupProblems(Path directory) {
    this.directory = directory;
  }

  /** "SERIAL: line" for each target the setup leaves down, by serial; none when the directory is not there (no problem yet). */
  List<String> read() {
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        String serial = file.getFileName().toString();
        if (serial.endsWith(".new")) {
          continue;  // being written; the renamed file is the one to read
        }
        try {
          problems.add(serial + ": " + Files.readString(file).strip().replace('\n', ' '));
        } catch (IOException e) {
          // Removed between the listing and the read: its pool was imported meanwhile.
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return problems;
  }
}
