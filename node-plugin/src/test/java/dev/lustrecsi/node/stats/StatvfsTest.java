package dev.lustrecsi.node.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatvfsTest {
  @TempDir Path dir;

  @Test
  void agreesWithTheJdkOnTheSameFilesystem() throws IOException {
    VolumeStats stats = Statvfs.of(dir);
    FileStore store = Files.getFileStore(dir);
    assertThat(stats.totalBytes()).isEqualTo(store.getTotalSpace());
    assertThat(stats.totalInodes()).isPositive();
    assertThat(stats.usedInodes()).isBetween(1L, stats.totalInodes());
    assertThat(stats.usedBytes()).isBetween(0L, stats.totalBytes());
    assertThat(stats.availableBytes()).isBetween(0L, stats.totalBytes());
  }

  @Test
  void reportsAMissingPath() {
    assertThatThrownBy(() -> Statvfs.of(dir.resolve("missing"))).isInstanceOf(IOException.class).hasMessageContaining("errno 2");
  }
}
