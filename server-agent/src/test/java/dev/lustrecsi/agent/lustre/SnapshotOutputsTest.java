package dev.lustrecsi.agent.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The snapshot commands' syntax and the parsing of what zfs list and lctl barrier_stat print. */
class SnapshotOutputsTest {
  @Test
  void barrierStatWhileFrozenHasTheSecondsLeft() {
    BarrierStat stat = BarrierStat.parse("testfs", "The barrier for testfs is in 'frozen'\nThe barrier will be expired after 7 seconds\n");
    assertThat(stat.state()).isEqualTo("frozen");
    assertThat(stat.secondsLeft()).hasValue(7);
    assertThat(stat.holds()).isTrue();
  }

  @Test
  void barrierStatOtherwiseHasOnlyTheState() {
    for (String state : List.of("init", "thawed", "expired", "failed")) {
      BarrierStat stat = BarrierStat.parse("fs1", "The barrier for fs1 is in '" + state + "'\n");
      assertThat(stat.state()).isEqualTo(state);
      assertThat(stat.secondsLeft()).isEmpty();
      assertThat(stat.holds()).isFalse();
    }
    assertThat(BarrierStat.parse("fs1", "The barrier for fs1 is in 'freezing_p2'\nThe barrier will be expired after 29 seconds\n").holds()).isTrue();
  }

  @Test
  void barrierStatOfAnotherFilesystemOrGarbageIsRefused() {
    assertThatThrownBy(() -> BarrierStat.parse("fs1", "The barrier for fs2 is in 'frozen'\n")).isInstanceOf(UnexpectedOutputException.class);
    assertThatThrownBy(() -> BarrierStat.parse("fs1", "Fail to stat barrier on filesystem fs1: No such device\n"))
        .isInstanceOf(UnexpectedOutputException.class);
  }

  @Test
  void targetDatasetsAreThoseWithALustreSvname() {
    String out = "lcsi-fs1-mdt0000\t-\nlcsi-fs1-mdt0000/mdt0000\tfs1-MDT0000\nlcsi-fs1-ost0002\t-\nlcsi-fs1-ost0002/ost0002\tfs1-OST0002\n"
        + "lcsi-fs1-mgt/mgt\tMGS\n";
    assertThat(ZfsList.targetDatasets(out)).containsExactly(
        new ZfsList.TargetDataset("lcsi-fs1-mdt0000/mdt0000", new TargetName("fs1", TargetKind.MDT, 0)),
        new ZfsList.TargetDataset("lcsi-fs1-ost0002/ost0002", new TargetName("fs1", TargetKind.OST, 2)),
        new ZfsList.TargetDataset("lcsi-fs1-mgt/mgt", TargetName.MGS));
    assertThatThrownBy(() -> ZfsList.targetDatasets("pool/x\tnot-a-target\n")).isInstanceOf(UnexpectedOutputException.class);
  }

  @Test
  void snapshotsAreSplitAtTheAtSign() {
    String out = "lcsi-fs1-ost0000/ost0000@lcsi-20261206-215700-0a1b2c\t1765058220\n";
    assertThat(ZfsList.snapshots(out)).containsExactly(
        new ZfsList.Snapshot("lcsi-fs1-ost0000/ost0000", "lcsi-20261206-215700-0a1b2c", 1765058220L));
    assertThat(ZfsList.snapshots("")).isEmpty();
    assertThatThrownBy(() -> ZfsList.snapshots("pool/ds\t1765058220\n")).isInstanceOf(UnexpectedOutputException.class);
    assertThatThrownBy(() -> ZfsList.snapshots("pool/ds@s\tSun Dec  6 21:57 2026\n")).as("creation without -p")
        .isInstanceOf(UnexpectedOutputException.class);
  }

  @Test
  void commandsAreTheManualsSyntax() {
    assertThat(LustreCommands.barrierFreeze("fs1", 30).argv()).containsExactly("lctl", "barrier_freeze", "fs1", "30");
    assertThat(LustreCommands.barrierThaw("fs1").argv()).containsExactly("lctl", "barrier_thaw", "fs1");
    assertThat(LustreCommands.barrierStat("fs1").argv()).containsExactly("lctl", "barrier_stat", "fs1");
    assertThat(ZfsCommands.snapshot("p/d", "s").argv()).containsExactly("zfs", "snapshot", "p/d@s");
    assertThat(ZfsCommands.destroy("p/d", "s").argv()).containsExactly("zfs", "destroy", "p/d@s");
    assertThatThrownBy(() -> ZfsCommands.destroy("p/d", "")).as("never a dataset").isInstanceOf(IllegalArgumentException.class);
  }
}
