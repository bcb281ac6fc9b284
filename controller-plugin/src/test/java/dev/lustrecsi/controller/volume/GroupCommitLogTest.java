package dev.lustrecsi.controller.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitLogTest {
  @TempDir Path dir;

  @Test
  void concurrentWritersReturnDurableAndTheirActionsRunInTheOrderOfTheFile() throws Exception {
    Path file = dir.resolve("log");
    List<String> applied = new CopyOnWriteArrayList<>();
    try (GroupCommitLog log = new GroupCommitLog(file, 0);
        var writers = Executors.newVirtualThreadPerTaskExecutor()) {
      IntStream.range(0, 400).forEach(i -> writers.submit(() -> {
        log.append(("r" + i + "\n").getBytes(StandardCharsets.UTF_8), () -> applied.add("r" + i));
        // Returning means applied: this writer's own action has run.
        assertThat(applied).contains("r" + i);
        return null;
      }));
    }
    assertThat(applied).hasSize(400).doesNotHaveDuplicates();
    assertThat(Files.readAllLines(file)).isEqualTo(applied);
  }

  @Test
  void switchingFilesAppliesEverythingFirstAndContinuesInTheNextFile() throws Exception {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    List<String> applied = new CopyOnWriteArrayList<>();
    try (GroupCommitLog log = new GroupCommitLog(first, 0)) {
      log.append("a\n".getBytes(StandardCharsets.UTF_8), () -> applied.add("a"));
      log.switchFile(() -> {
        assertThat(applied).containsExactly("a");
        return second;
      });
      log.append("b\n".getBytes(StandardCharsets.UTF_8), () -> applied.add("b"));
      assertThat(log.size()).isEqualTo(2);
    }
    assertThat(Files.readString(first)).isEqualTo("a\n");
    assertThat(Files.readString(second)).isEqualTo("b\n");
  }

  @Test
  void recordsPastSeveralChunksOfZerosLandInOrderAndTheZerosStayAheadOfThem() throws Exception {
    Path file = dir.resolve("log");
    StringBuilder expected = new StringBuilder();
    // Large records from concurrent writers: some appends find the syncer has laid zeros ahead,
    // others (a record larger than what is left) must extend the file themselves.
    int recordBytes = (int) (GroupCommitLog.PREALLOCATION_CHUNK / 3);
    List<String> applied = new CopyOnWriteArrayList<>();
    try (GroupCommitLog log = new GroupCommitLog(file, 0);
        var writers = Executors.newVirtualThreadPerTaskExecutor()) {
      IntStream.range(0, 12).forEach(i -> writers.submit(() -> {
        String line = String.valueOf((char) ('a' + i)).repeat(recordBytes - 1) + "\n";
        log.append(line.getBytes(StandardCharsets.UTF_8), () -> applied.add(line));
        return null;
      }));
      writers.close();
      applied.forEach(expected::append);
      byte[] open = Files.readAllBytes(file);
      assertThat(open.length % GroupCommitLog.PREALLOCATION_CHUNK).isZero();
      assertThat(open.length).isGreaterThanOrEqualTo(expected.length());
      assertThat(new String(open, 0, expected.length(), StandardCharsets.UTF_8)).isEqualTo(expected.toString());
      byte[] tail = java.util.Arrays.copyOfRange(open, expected.length(), open.length);
      assertThat(tail).as("zeros after the records").isNotEmpty().containsOnly((byte) 0);
    }
    assertThat(Files.readString(file)).isEqualTo(expected.toString());
  }

  @Test
  void aClosedLogRefusesWrites() {
    GroupCommitLog log = new GroupCommitLog(dir.resolve("log"), 0);
    log.close();
    assertThatThrownBy(() -> log.append("x\n".getBytes(StandardCharsets.UTF_8), () -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the volume journal is closed");
  }

  @Test
  void anActionThatFailsFailsItsWriterAndLeavesTheLogUsable() throws Exception {
    try (GroupCommitLog log = new GroupCommitLog(dir.resolve("log"), 0)) {
      assertThatThrownBy(() -> log.append("x\n".getBytes(StandardCharsets.UTF_8), () -> {
        throw new IllegalArgumentException("bad record");
      })).isInstanceOf(IllegalArgumentException.class).hasMessage("bad record");
      List<String> applied = new CopyOnWriteArrayList<>();
      log.append("y\n".getBytes(StandardCharsets.UTF_8), () -> applied.add("y"));
      assertThat(applied).containsExactly("y");
    }
  }
}
