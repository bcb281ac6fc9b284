package dev.lustrecsi.controller.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.Target;
import dev.lustrecsi.agent.v1.TargetUsage;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainCapacityTest {
  private static TargetStatus ost(int index, boolean draining) {
    TargetStatus ost = new TargetStatus(String.format("fs1-OST%04x", index), "OST", index, "fs1-oss" + index, "fs1-ost" + index, "Up",
        10 * Sizes.GIB, null);
    return draining ? ost.withDrain(DrainStatus.waiting(DrainStatus.NOT_STARTED, null)) : ost;
  }

  private static TargetUsage usage(int index, long used) {
    return TargetUsage.newBuilder().setUuid(String.format("fs1-OST%04x_UUID", index)).setKind(Target.Kind.OST).setIndex(index)
        .setCapacityBytes(10 * Sizes.GIB).setUsedBytes(used).setAvailableBytes(10 * Sizes.GIB - used).build();
  }

  private static final List<TargetStatus> TARGETS = List.of(ost(0, false), ost(1, true), ost(2, false));

  @Test
  void startsWhenTheOthersHoldTheDataWithSpareAndBackThePromises() {
    var usage = GetTargetUsageResponse.newBuilder().addTargets(usage(0, 4 * Sizes.GIB)).addTargets(usage(1, 6 * Sizes.GIB))
        .addTargets(usage(2, 4 * Sizes.GIB)).build();
    // 12 GiB free on the two that stay, less 1 GiB spare: 11 GiB; 6 GiB to move; 20 GiB back 16 GiB of volumes.
    assertThat(DrainCapacity.shortfall(TARGETS, usage, 16 * Sizes.GIB, 1.0)).isEmpty();
  }

  @Test
  void refusesWhenTheDataWouldNotFitNamingTheShortfall() {
    var usage = GetTargetUsageResponse.newBuilder().addTargets(usage(0, 8 * Sizes.GIB)).addTargets(usage(1, 9 * Sizes.GIB))
        .addTargets(usage(2, 8 * Sizes.GIB)).build();
    // 4 GiB free, 1 GiB kept spare: 3 GiB for 9 GiB.
    assertThat(DrainCapacity.shortfall(TARGETS, usage, 0, 1.0)).hasValueSatisfying(text -> assertThat(text)
        .startsWith("fs1-OST0001 hold 9 GiB; the 2 OSTs that stay have 3 GiB free beyond the 5% kept spare: short by 6 GiB"));
  }

  @Test
  void refusesWhenTheVolumesArePromisedMoreThanTheOthersBack() {
    var usage = GetTargetUsageResponse.newBuilder().addTargets(usage(0, 0)).addTargets(usage(1, 0)).addTargets(usage(2, 0)).build();
    assertThat(DrainCapacity.shortfall(TARGETS, usage, 25 * Sizes.GIB, 1.0)).hasValueSatisfying(text -> assertThat(text)
        .startsWith("volumes are promised 25 GiB; the 2 OSTs that stay back 20 GiB (overcommit 1.0): short by 5 GiB"));
    assertThat(DrainCapacity.shortfall(TARGETS, usage, 25 * Sizes.GIB, 1.5)).as("overcommitted volumes").isEmpty();
  }

  @Test
  void anOstThatIsDownDoesNotCountAsRoom() {
    List<TargetStatus> oneDown = List.of(ost(0, false), ost(1, true), ost(2, false).withObserved("Down", 10 * Sizes.GIB, 0L));
    var usage = GetTargetUsageResponse.newBuilder().addTargets(usage(0, 9 * Sizes.GIB)).addTargets(usage(1, 2 * Sizes.GIB)).build();
    assertThat(DrainCapacity.shortfall(oneDown, usage, 0, 1.0)).isPresent();
  }
}
