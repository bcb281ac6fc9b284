package dev.lustrecsi.controller.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import org.junit.jupiter.api.Test;

class CommittedCapacityTest {
  static final long LIMIT = 100;
  final CommittedCapacity capacity = new CommittedCapacity();

  CommittedCapacity.Reservation reserve(String name, long bytes) {
    return capacity.reserve(name, "fs1", bytes, LIMIT, () -> CsiException.resourceExhausted("full"));
  }

  @Test
  void recordsOfEveryControllerCountAndRemovedOnesNoLonger() {
    capacity.recorded("a", "fs1", 30);
    capacity.recorded("b", "fs1", 20);
    capacity.recorded("c", "fs2", 5);
    assertThat(capacity.committed("fs1")).isEqualTo(50);
    capacity.recorded("a", "fs1", 40);
    assertThat(capacity.committed("fs1")).as("a record rewritten larger").isEqualTo(60);
    capacity.unrecorded("b");
    capacity.unrecorded("never-recorded");
    assertThat(capacity.committed("fs1")).isEqualTo(40);
    assertThat(capacity.committed("fs2")).isEqualTo(5);
  }

  @Test
  void aReservationCountsUntilItsRecordDoesAndNeverTwice() {
    capacity.recorded("other", "fs1", 60);
    try (var reservation = reserve("new", 30)) {
      assertThat(capacity.committed("fs1")).isEqualTo(90);
      capacity.recorded("new", "fs1", 30);
      assertThat(capacity.committed("fs1")).as("the written record and its reservation are one volume").isEqualTo(90);
      assertThatThrownBy(() -> reserve("third", 11)).isInstanceOf(CsiException.class);
    }
    assertThat(capacity.committed("fs1")).isEqualTo(90);
    reserve("third", 10).close();
    assertThat(capacity.committed("fs1")).as("a reservation whose write failed gives its capacity back").isEqualTo(90);
  }

  @Test
  void anExpansionIsCheckedForItsGrowthAndShrinksBackIfItsWriteFails() {
    capacity.recorded("a", "fs1", 50);
    capacity.recorded("b", "fs1", 30);
    assertThatThrownBy(() -> reserve("a", 71)).isInstanceOf(CsiException.class);
    try (var reservation = reserve("a", 70)) {
      assertThat(capacity.committed("fs1")).isEqualTo(100);
    }
    assertThat(capacity.committed("fs1")).as("never written").isEqualTo(80);
    try (var reservation = reserve("a", 10)) {
      assertThat(capacity.committed("fs1")).as("a smaller total never counts for less than the record").isEqualTo(80);
    }
  }

  @Test
  void aVolumeRemovedWhileItsWriteIsInFlightStillCountsItsReservation() {
    capacity.recorded("a", "fs1", 50);
    try (var reservation = reserve("a", 60)) {
      capacity.unrecorded("a");
      assertThat(capacity.committed("fs1")).isEqualTo(60);
    }
    assertThat(capacity.committed("fs1")).isZero();
  }

  @Test
  void aNameMadeAgainOnAnotherFilesystemMovesItsCount() {
    capacity.recorded("a", "fs1", 50);
    capacity.recorded("a", "fs2", 20);
    assertThat(capacity.committed("fs1")).isZero();
    assertThat(capacity.committed("fs2")).isEqualTo(20);
  }
}
