package dev.lustrecsi.controller.volume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.parameters.Striping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileVolumeJournalTest {
  @TempDir Path dir;

  static VolumeRecord volume(String name, String directory) {
    return new VolumeRecord(name, new VolumeId("fs1", directory), 1 << 30, new Striping(2, 1 << 20, ""), 1000,
        VolumeRecord.State.READY, Map.of("fsName", "fs1"));
  }

  @Test
  void survivesARestart() {
    FileVolumeJournal journal = new FileVolumeJournal(dir);
    VolumeRecord a = volume("any name / with slashes", "any_name-0123456789abcdef");
    journal.put(a);
    journal.put(new FilesystemRecord("fs1", 1L << 40, 8, 1001, null));
    FileVolumeJournal reloaded = new FileVolumeJournal(dir);
    assertThat(reloaded.byName(a.name())).contains(a);
    assertThat(reloaded.byId(a.id())).contains(a);
    assertThat(reloaded.filesystem("fs1")).contains(new FilesystemRecord("fs1", 1L << 40, 8, 1001, null));
  }

  @Test
  void removesAndListsInIdOrder() {
    FileVolumeJournal journal = new FileVolumeJournal(dir);
    journal.put(volume("b", "b"));
    journal.put(volume("a", "a"));
    journal.put(volume("c", "c"));
    journal.remove(volume("b", "b"));
    assertThat(new FileVolumeJournal(dir).volumes()).extracting(v -> v.id().directory()).containsExactly("a", "c");
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
