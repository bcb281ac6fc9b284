package dev.lustrecsi.controller.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.parameters.Striping;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every VolumeJournal promises; each implementation's test extends this. */
abstract class VolumeJournalContract {
  /** A journal over the test's storage; each call is a new journal, as after a controller restart. */
  abstract VolumeJournal journal();

  static VolumeRecord volume(String name, String directory) {
    return new VolumeRecord(name, new VolumeId("fs1", directory), 1 << 30, new Striping(2, 1 << 20, ""), 1000,
        VolumeRecord.State.READY, Map.of("fsName", "fs1"));
  }

  @Test
  void survivesARestart() {
    VolumeJournal journal = journal();
    VolumeRecord a = volume("any name / with slashes", "any_name-0123456789abcdef");
    journal.put(a);
    journal.put(new FilesystemRecord("fs1", 1L << 40, 8, 1001, null));
    VolumeJournal reloaded = journal();
    assertThat(reloaded.byName(a.name())).contains(a);
    assertThat(reloaded.byId(a.id())).contains(a);
    assertThat(reloaded.filesystem("fs1")).contains(new FilesystemRecord("fs1", 1L << 40, 8, 1001, null));
    assertThat(reloaded.filesystems()).containsExactly(new FilesystemRecord("fs1", 1L << 40, 8, 1001, null));
  }

  @Test
  void readsItsOwnWritesAtOnce() {
    VolumeJournal journal = journal();
    VolumeRecord a = volume("pvc-a", "pvc-a");
    journal.put(a);
    assertThat(journal.byName("pvc-a")).contains(a);
    journal.put(a.withState(VolumeRecord.State.DELETING));
    assertThat(journal.byId(a.id())).contains(a.withState(VolumeRecord.State.DELETING));
    assertThat(journal.volumes()).containsExactly(a.withState(VolumeRecord.State.DELETING));
    journal.remove(a);
    assertThat(journal.byName("pvc-a")).isEmpty();
    assertThat(journal.byId(a.id())).isEmpty();
    assertThat(journal.volumes()).isEmpty();
  }

  @Test
  void removesAndListsInIdOrder() {
    VolumeJournal journal = journal();
    journal.put(volume("b", "b"));
    journal.put(volume("a", "a"));
    journal.put(volume("c", "c"));
    journal.remove(volume("b", "b"));
    journal.remove(volume("absent", "absent"));
    assertThat(journal().volumes()).extracting(v -> v.id().directory()).containsExactly("a", "c");
  }

  @Test
  void rewritingTheStoredFilesystemRecordSucceedsAndAStaleWriteIsRefused() {
    VolumeJournal first = journal();
    FilesystemRecord fs = new FilesystemRecord("fs1", 1L << 40, 8, 1000, 1.5);
    first.put(fs);
    first.put(fs);
    VolumeJournal second = journal();
    assertThat(second.filesystem("fs1")).contains(fs);
    first.put(fs.withNextProjectId(1064));
    if (sharesStorage()) {
      assertThatThrownBy(() -> second.put(fs.withNextProjectId(1064 + 64))).isInstanceOf(StaleRecordException.class);
      assertThat(second.filesystem("fs1")).contains(fs.withNextProjectId(1064));
      second.put(fs.withNextProjectId(1128));
      assertThat(journal().filesystem("fs1")).contains(fs.withNextProjectId(1128));
    }
  }

  /** Whether two journals at once on the same storage are supported (the file journal is single-process). */
  abstract boolean sharesStorage();
}
