package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainSummaryTest {
  private static TargetStatus ost(int index, DrainStatus drain) {
    return new TargetStatus(String.format("fs1-OST%04x", index), "OST", index, "fs1-oss0", "d", "Up", null, null, drain);
  }

  @Test
  void nothingDrainingSaysNothing() {
    assertThat(DrainSummary.condition(List.of(ost(0, null)))).isEmpty();
    assertThat(DrainSummary.column(List.of(ost(0, null)))).isNull();
  }

  @Test
  void aMigratingOstShowsItsFilesLeft() {
    var targets = List.of(ost(0, null), ost(1, new DrainStatus(DrainStatus.MIGRATING, 120L, 30L, 0L, null, null, "t")));
    assertThat(DrainSummary.column(targets)).isEqualTo("OST0001 Migrating (120 files left)");
    assertThat(DrainSummary.condition(targets)).hasValueSatisfying(c -> {
      assertThat(c.status()).isEqualTo("True");
      assertThat(c.reason()).isEqualTo("Migrating");
    });
  }

  @Test
  void aRefusedDrainIsFalseWithTheShortfall() {
    var targets = List.of(ost(1, DrainStatus.waiting("volumes are promised 16 GiB; short by 6 GiB", "t")),
        ost(2, new DrainStatus(DrainStatus.REMOVING, 0L, 3L, 0L, null, null, "t")));
    assertThat(DrainSummary.condition(targets)).hasValueSatisfying(c -> {
      assertThat(c.status()).isEqualTo("False");
      assertThat(c.reason()).isEqualTo(DrainSummary.INSUFFICIENT_CAPACITY);
      assertThat(c.message()).isEqualTo("fs1-OST0001: volumes are promised 16 GiB; short by 6 GiB");
    });
    assertThat(DrainSummary.column(targets)).isEqualTo("OST0001 Waiting; OST0002 Removing");
  }

  @Test
  void finishedDrainsAreFalseDrained() {
    var targets = List.of(ost(1, new DrainStatus(DrainStatus.REMOVED, 0L, 3L, 0L, null, null, "t")));
    assertThat(DrainSummary.column(targets)).isNull();
    assertThat(DrainSummary.condition(targets)).hasValueSatisfying(c -> assertThat(c.reason()).isEqualTo("Drained"));
  }
}
