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

  @Test
  void mountListingsGiveSourceMountPointAndType() {
    List<MountList.Mount> mounts = MountList.parse(Fixtures.read("mount_t_lustre.txt"));
    assertThat(mounts).hasSize(5);
    assertThat(mounts.getFirst()).isEqualTo(new MountList.Mount("lfs-mgt/mgt", java.nio.file.Path.of("/mnt/lustre/mgt"), "lustre"));
    assertThat(mounts.getLast()).isEqualTo(new MountList.Mount("10.99.0.1@tcp:/lfs", java.nio.file.Path.of("/mnt/lfs"), "lustre"));
    assertThat(MountList.parse("pool/mdt0@s1 on /lustre/snapshots/fs1/s 1/mdt0000 type lustre (ro)\n").getFirst().mountPoint())
        .hasToString("/lustre/snapshots/fs1/s 1/mdt0000");
    assertThat(MountList.parse("")).isEmpty();
    assertThatThrownBy(() -> MountList.parse("mount: only root can do that\n")).isInstanceOf(UnexpectedOutputException.class);
  }

  @Test
  void zfsGetLeavesUnsetPropertiesOut() {
    assertThat(ZfsList.properties("lustre:magic\t0x14F711B9\nlustre:fsname\tab12cd34\nlustre:mgsnode\t-\n"))
        .containsExactly(java.util.Map.entry("lustre:magic", "0x14F711B9"), java.util.Map.entry("lustre:fsname", "ab12cd34"));
  }

  @Test
  void snapshotTagsAreLsnapshotsAndOnlyMagicMarksAName() {
    var tags = SnapshotTags.of("ab12cd34", new TargetName("fs1", TargetKind.OST, 10), "10.1.0.10@tcp", 1765058220L);
    assertThat(tags).containsExactly(java.util.Map.entry("lustre:fsname", "ab12cd34"), java.util.Map.entry("lustre:magic", "0x14F711B9"),
        java.util.Map.entry("lustre:ctime", "1765058220"), java.util.Map.entry("lustre:mtime", "1765058220"),
        java.util.Map.entry("lustre:svname", "ab12cd34-OST000a"), java.util.Map.entry("lustre:mgsnode", "10.1.0.10@tcp"));
    assertThat(SnapshotTags.of("ab12cd34", TargetName.MGS, null, 1L)).doesNotContainKeys("lustre:svname", "lustre:mgsnode");
    assertThat(SnapshotTags.snapshotFsName(java.util.Map.of("lustre:fsname", "fs1"))).as("inherited from the live dataset").isEmpty();
    assertThat(SnapshotTags.snapshotFsName(tags)).hasValue("ab12cd34");
  }

  @Test
  void defaultLayoutsAreReadFromGetstripeD() {
    assertThat(DefaultLayoutParser.parse(Fixtures.read("lfs_getstripe_d_after_reboot.txt"))).hasValue(new Striping(2, 4194304, ""));
    assertThat(DefaultLayoutParser.parse(Fixtures.read("lfs_getstripe_d.txt"))).as("with the path line first").hasValue(new Striping(2, 4194304, ""));
    assertThat(DefaultLayoutParser.parse("stripe_count:  -1 stripe_size:   1048576 pattern:       raid0 stripe_offset: -1 pool:          flash\n"))
        .hasValue(new Striping(-1, 1048576, "flash"));
    assertThat(DefaultLayoutParser.parse("stripe_count:  0 stripe_size:   0 pattern:       0 stripe_offset: -1\n\n"))
        .as("raw, a directory without a layout of its own").hasValueSatisfying(s -> assertThat(s.isDefault()).isTrue());
    assertThat(DefaultLayoutParser.parse("")).isEmpty();
    assertThatThrownBy(() -> DefaultLayoutParser.parse("  lcm_layout_gen:    0\n  lcm_mirror_count:  1\n  lcm_entry_count:   2\n"))
        .isInstanceOf(UnexpectedOutputException.class);
  }
}
