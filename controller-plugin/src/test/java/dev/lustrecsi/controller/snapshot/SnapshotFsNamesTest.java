package dev.lustrecsi.controller.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.FsName;
import org.junit.jupiter.api.Test;

/** The name a snapshot is mounted under: the same on every attempt, a legal fsname, never the live one. */
class SnapshotFsNamesTest {
  @Test
  void derivedFromBothNamesAlone() {
    String name = SnapshotFsNames.of("fs1", "lcsi-20261207-010203-abcdef");
    assertThat(name).matches("[a-z0-9]{8}").isEqualTo(SnapshotFsNames.of("fs1", "lcsi-20261207-010203-abcdef"));
    assertThat(FsName.isLegal(name)).isTrue();
    assertThat(SnapshotFsNames.of("fs1", "lcsi-20261207-010203-abcdee")).isNotEqualTo(name);
    assertThat(SnapshotFsNames.of("fs2", "lcsi-20261207-010203-abcdef")).isNotEqualTo(name);
  }

  @Test
  void neverTheLiveFilesystemsName() {
    // A filesystem named like the hash its own snapshot would get: the name moves on to the next candidate.
    String clash = SnapshotFsNames.of("x", "s");
    assertThat(SnapshotFsNames.of(clash, "s")).isNotEqualTo(clash);
    String live = "0a1b2c3d";
    for (int i = 0; i < 1000; i++) {
      assertThat(SnapshotFsNames.of(live, "lcsi-" + i)).isNotEqualTo(live);
    }
  }
}
