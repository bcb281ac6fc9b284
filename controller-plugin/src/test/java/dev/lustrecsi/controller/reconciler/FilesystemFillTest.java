package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Fill printer column: what `kubectl get lustrefilesystems` shows an admin at a glance. */
class FilesystemFillTest {
  @Test
  void fillIsUsedOverUsableInWholePercentsRoundedDown() {
    assertThat(FilesystemStatusCalculator.fill(0, 4L << 40)).isEqualTo("0%");
    assertThat(FilesystemStatusCalculator.fill(42, 100)).isEqualTo("42%");
    assertThat(FilesystemStatusCalculator.fill(996, 1000)).as("nearly full is not full").isEqualTo("99%");
    assertThat(FilesystemStatusCalculator.fill(1000, 1000)).isEqualTo("100%");
    // Past exabytes, where used × 100 would overflow a long.
    assertThat(FilesystemStatusCalculator.fill(Long.MAX_VALUE / 2, Long.MAX_VALUE)).isEqualTo("50%");
  }

  @Test
  void noFillWhileNoOstIsUp() {
    assertThat(FilesystemStatusCalculator.fill(0, 0)).isNull();
  }
}
