package dev.lustrecsi.controller.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileVolumeJournalTest extends VolumeJournalContract {
  @TempDir Path dir;

  @Override
  VolumeJournal journal() {
    return new FileVolumeJournal(dir);
  }

  @Override
  boolean sharesStorage() {
    return false;
  }

  @Test
  void leavesNoTemporaryFiles() throws Exception {
    FileVolumeJournal journal = new FileVolumeJournal(dir);
    for (int i = 0; i < 5; i++) {
      journal.put(volume("v", "v").withCapacity(i + 1L));
    }
    try (var files = Files.walk(dir)) {
      assertThat(files.filter(f -> f.toString().endsWith(".tmp"))).isEmpty();
    }
  }
}
