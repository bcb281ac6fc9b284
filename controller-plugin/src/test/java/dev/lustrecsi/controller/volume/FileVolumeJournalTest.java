package dev.lustrecsi.controller.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
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
  void concurrentWritersAllLandAndReplayToTheSameState() throws Exception {
    FileVolumeJournal journal = new FileVolumeJournal(dir);
    try (ExecutorService writers = Executors.newFixedThreadPool(16)) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 16; w++) {
        int writer = w;
        done.add(writers.submit(() -> {
          for (int i = 0; i < 50; i++) {
            VolumeRecord v = volume("w" + writer + "-" + i, "w" + writer + "-" + i);
            journal.put(v.withState(VolumeRecord.State.CREATING));
            journal.put(v);
            if (i % 5 == 0) {
              journal.remove(v);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
    assertThat(journal.volumes()).hasSize(16 * 40).allMatch(v -> v.state() == VolumeRecord.State.READY);
    assertThat(new FileVolumeJournal(dir).volumes()).isEqualTo(journal.volumes());
  }

  @Test
  void aTornLastLineIsCutAndWritingGoesOn() throws Exception {
    FileVolumeJournal journal = new FileVolumeJournal(dir);
    journal.put(volume("a", "a"));
    journal.put(volume("b", "b"));
    journal.close();
    // A crash in the middle of an append, before its fsync: half a line, no newline.
    Files.writeString(dir.resolve("journal-0.log"), "{\"kind\":\"PUT_VOLUME\",\"volume\":{\"name\":\"c\",\"i", StandardOpenOption.APPEND);

    FileVolumeJournal reopened = new FileVolumeJournal(dir);
    assertThat(reopened.volumes()).extracting(VolumeRecord::name).containsExactly("a", "b");
    reopened.put(volume("d", "d"));
    assertThat(new FileVolumeJournal(dir).volumes()).extracting(VolumeRecord::name).containsExactly("a", "b", "d");
  }

  @Test
  void aZeroFilledTailIsCutToo() throws Exception {
    String good = closedLogHoldingVolumeA();
    Path log = dir.resolve("journal-0.log");
    // Some filesystems show a grown file with zeros where unsynced data never arrived.
    Files.write(log, new byte[4096], StandardOpenOption.APPEND);
    FileVolumeJournal reopened = new FileVolumeJournal(dir);
    assertThat(reopened.volumes()).extracting(VolumeRecord::name).containsExactly("a");
    reopened.close();
    assertThat(Files.readString(log)).isEqualTo(good);
  }

  @Test
  void recordsPastAHoleOfZerosWereNeverAcknowledgedAndAreCutNotCalledCorrupt() throws Exception {
    String good = closedLogHoldingVolumeA();
    Path log = dir.resolve("journal-0.log");
    // A crash can persist later pages of unsynced appends and not an earlier one: whole lines
    // follow the hole, so the line it starts is not the last one (which would be cut as torn).
    Files.write(log, new byte[100], StandardOpenOption.APPEND);
    Files.writeString(log, good.replace("\"a\"", "\"b\"") + good.replace("\"a\"", "\"x\""), StandardOpenOption.APPEND);
    FileVolumeJournal reopened = new FileVolumeJournal(dir);
    assertThat(reopened.volumes()).extracting(VolumeRecord::name).containsExactly("a");
    reopened.put(volume("c", "c"));
    reopened.close();
    assertThat(new FileVolumeJournal(dir).volumes()).extracting(VolumeRecord::name).containsExactly("a", "c");
  }

  @Test
  void anOpenLogIsWrittenOverZerosLaidAheadAndAClosedOneEndsAtItsLastRecord() throws Exception {
    FileVolumeJournal journal = new FileVolumeJournal(dir);
    journal.put(volume("a", "a"));
    Path log = dir.resolve("journal-0.log");
    assertThat(Files.size(log)).isEqualTo(GroupCommitLog.PREALLOCATION_CHUNK);
    journal.close();
    assertThat(Files.readString(log)).endsWith("}\n").doesNotContain("\0");
  }

  @Test
  void aBadLineBeforeTheLastIsCorruptionAndOpeningFails() throws Exception {
    String good = closedLogHoldingVolumeA();
    Path log = dir.resolve("journal-0.log");
    Files.writeString(log, good + "not json\n" + good);
    assertThatThrownBy(() -> new FileVolumeJournal(dir))
        .isInstanceOf(UncheckedIOException.class)
        .hasRootCauseMessage("volume journal " + log + " is corrupt at byte " + good.length()
            + " (a bad line before the last one); restore it from a backup or repair it by hand");
    assertThat(Files.readString(log)).isEqualTo(good + "not json\n" + good);
  }

  @Test
  void compactionFoldsTheLogIntoASnapshotAndLosesNothing() throws Exception {
    FileVolumeJournal journal = new FileVolumeJournal(dir, 4096);
    for (int i = 0; i < 100; i++) {
      journal.put(volume("v" + i, "v" + i));
      if (i % 2 == 1) {
        journal.remove(volume("v" + i, "v" + i));
      }
    }
    journal.put(new FilesystemRecord("fs1", 1L << 40, 8, 1064, null));
    assertThat(logs()).hasSize(1).noneMatch(p -> p.getFileName().toString().equals("journal-0.log"));
    assertThat(dir.resolve("snapshot.json")).exists();
    journal.close();
    assertThat(Files.size(logs().getFirst())).isLessThan(4096 + 1024);

    FileVolumeJournal reopened = new FileVolumeJournal(dir);
    assertThat(reopened.volumes()).isEqualTo(journal.volumes()).hasSize(50);
    assertThat(reopened.filesystems()).isEqualTo(journal.filesystems());
  }

  @Test
  void leftoversOfAnInterruptedCompactionAreIgnoredAndRemoved() throws Exception {
    FileVolumeJournal journal = new FileVolumeJournal(dir, 2048);
    for (int i = 0; i < 20; i++) {
      journal.put(volume("v" + i, "v" + i));
    }
    journal.close();
    Path current = logs().getFirst();
    long generation = Long.parseLong(current.getFileName().toString().replaceAll("\\D", ""));
    // Interrupted after the next log was created but before the snapshot was renamed.
    Files.writeString(dir.resolve("journal-" + (generation + 1) + ".log"), "");
    Files.writeString(dir.resolve("snapshot.json.tmp"), "{\"generation\":");

    FileVolumeJournal reopened = new FileVolumeJournal(dir);
    assertThat(reopened.volumes()).isEqualTo(journal.volumes()).hasSize(20);
    assertThat(logs()).containsExactly(current);
    assertThat(dir.resolve("snapshot.json.tmp")).doesNotExist();
  }

  @Test
  void recordsOfEarlierVersionsAreFoldedIntoASnapshotOnce() throws Exception {
    Files.createDirectories(dir.resolve("volumes"));
    Files.createDirectories(dir.resolve("filesystems"));
    Files.writeString(dir.resolve("volumes/0123.json"), """
        {"name":"old","id":{"fsName":"fs1","directory":"old"},"capacityBytes":1073741824,
         "striping":{"count":2,"sizeBytes":1048576,"pool":""},"projectId":1000,"state":"READY","parameters":{"fsName":"fs1"}}""",
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("filesystems/fs1.json"), """
        {"fsName":"fs1","ostSize":1099511627776,"maxOsts":8,"nextProjectId":1064}""");

    FileVolumeJournal journal = new FileVolumeJournal(dir);
    assertThat(journal.byName("old")).contains(volume("old", "old"));
    assertThat(journal.filesystem("fs1")).contains(new FilesystemRecord("fs1", 1L << 40, 8, 1064, null));
    assertThat(dir.resolve("volumes")).doesNotExist();
    assertThat(dir.resolve("filesystems")).doesNotExist();
    journal.remove(volume("old", "old"));
    assertThat(new FileVolumeJournal(dir).volumes()).isEmpty();
  }

  /** Writes volume "a" to a new journal, closes it, and returns its log's content. */
  private String closedLogHoldingVolumeA() throws Exception {
    FileVolumeJournal journal = new FileVolumeJournal(dir);
    journal.put(volume("a", "a"));
    journal.close();
    return Files.readString(dir.resolve("journal-0.log"));
  }

  private List<Path> logs() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log")).toList();
    }
  }
}
