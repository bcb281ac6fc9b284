package dev.lustrecsi.sandbox.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.lustre.FilesystemState;
import dev.lustrecsi.controller.parameters.Striping;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedLustreTest {
  @TempDir Path dir;
  static final FilesystemSpec SPEC = new FilesystemSpec("fs1", 10 * Sizes.GIB, 4, 1.0, dev.lustrecsi.controller.parameters.ServerParameters.NONE);
  static final VolumeId VOLUME = new VolumeId("fs1", "pvc-a");

  @Test
  void createsAFilesystemOnceAndGrowsFromTheRecordedIndex() {
    SimulatedLustre lustre = new SimulatedLustre(dir);
    assertThat(lustre.ensureFilesystem(SPEC).osts()).hasSize(1);
    assertThat(lustre.ensureFilesystem(SPEC).osts()).hasSize(1);
    FilesystemState grown = lustre.ensureOstCount("fs1", 3);
    assertThat(grown.osts()).extracting(FilesystemState.Ost::index).containsExactly(0, 1, 2);
    assertThat(grown.capacityBytes()).isEqualTo(30 * Sizes.GIB);
    assertThat(new SimulatedLustre(dir).describe("fs1")).get().isEqualTo(grown);
    assertThatThrownBy(() -> lustre.ensureOstCount("fs1", 5)).isInstanceOf(CsiException.class);
  }

  @Test
  void newOstsTakeTheirStartupTime() {
    Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now[0]; }
    };
    SimulatedLustre lustre = new SimulatedLustre(dir, Duration.ofSeconds(30), clock);
    assertThat(lustre.ensureFilesystem(SPEC).ready()).isFalse();
    now[0] = now[0].plusSeconds(31);
    assertThat(lustre.describe("fs1").orElseThrow().ready()).isTrue();
  }

  @Test
  void recordsLayoutAndQuotaAndCountsUsage() throws Exception {
    SimulatedLustre lustre = new SimulatedLustre(dir);
    lustre.ensureFilesystem(SPEC);
    lustre.ensureVolumeDirectory(VOLUME, new Striping(2, Sizes.MIB, "flash"), 1000, 5 * Sizes.GIB);
    assertThat(lustre.layout(VOLUME)).contains(new SimulatedLustre.Layout(2, Sizes.MIB, "flash", 1000));
    Path file = lustre.namespace("fs1").resolve("pvc-a/data");
    // A sparse file of 6 GiB: over quota, without using the disk.
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(6 * Sizes.GIB);
    }
    var usage = lustre.usage(VOLUME, 1000).orElseThrow();
    assertThat(usage.usedBytes()).isEqualTo(6 * Sizes.GIB);
    assertThat(usage.quotaBytes()).isEqualTo(5 * Sizes.GIB);
    assertThat(usage.overQuota()).isTrue();
    assertThat(usage.usedInodes()).isEqualTo(2);
    lustre.setQuota(VOLUME, 1000, 8 * Sizes.GIB);
    assertThat(lustre.usage(VOLUME, 1000).orElseThrow().overQuota()).isFalse();

    var stats = new SimulatedStatfs(lustre).stats(java.util.Optional.of(VOLUME), lustre.namespace("fs1").resolve("pvc-a"));
    assertThat(stats.totalBytes()).isEqualTo(8 * Sizes.GIB);
    assertThat(stats.usedBytes()).isEqualTo(6 * Sizes.GIB);
    assertThat(stats.availableBytes()).isEqualTo(2 * Sizes.GIB);
  }

  @Test
  void deletesEverythingOfAVolumeAndToleratesRepeats() {
    SimulatedLustre lustre = new SimulatedLustre(dir);
    lustre.ensureFilesystem(SPEC);
    lustre.ensureVolumeDirectory(VOLUME, new Striping(1, Sizes.MIB, ""), 1000, Sizes.GIB);
    lustre.deleteVolumeDirectory(VOLUME, 1000);
    lustre.deleteVolumeDirectory(VOLUME, 1000);
    assertThat(lustre.usage(VOLUME, 1000)).isEmpty();
    assertThat(lustre.layout(VOLUME)).isEmpty();
    assertThat(lustre.quota("fs1", 1000)).isZero();
    assertThat(Files.exists(lustre.namespace("fs1").resolve("pvc-a"))).isFalse();
  }
}
