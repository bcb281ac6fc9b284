package dev.lustrecsi.agent.lustre;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParsersTest {
  @Test
  void lfsDfOfTwoOsts() {
    List<TargetSpace> rows = LfsDfParser.parse(Fixtures.read("lfs_df.txt"));
    assertThat(rows).containsExactly(
        new TargetSpace("lfs-MDT0000_UUID", new TargetName("lfs", TargetKind.MDT, 0), 3771264, 3072, 3766144, "", false),
        new TargetSpace("lfs-OST0000_UUID", new TargetName("lfs", TargetKind.OST, 0), 7558144, 3072, 7553024, "", false),
        new TargetSpace("lfs-OST0001_UUID", new TargetName("lfs", TargetKind.OST, 1), 7558144, 3072, 7553024, "", false));
  }

  @ParameterizedTest
  @ValueSource(strings = {"lfs_df_after_ost2.txt", "lfs_df_after_reboot.txt"})
  void lfsDfOfThreeOsts(String fixture) {
    List<TargetSpace> rows = LfsDfParser.parse(Fixtures.read(fixture));
    assertThat(rows).extracting(r -> r.target().toString()).containsExactly("lfs-MDT0000", "lfs-OST0000", "lfs-OST0001", "lfs-OST0002");
    assertThat(rows).allSatisfy(r -> assertThat(r.totalKib()).isEqualTo(r.target().kind() == TargetKind.MDT ? 3771264 : 7558144));
  }

  @Test
  void lfsDfOfADirectory() {
    assertThat(LfsDfParser.parse(Fixtures.read("lfs_df_d.txt"))).hasSize(3).allSatisfy(r -> assertThat(r.inactive()).isFalse());
  }

  @Test
  void lfsDfFlagsInactiveDevicesAndHexIndexes() {
    List<TargetSpace> rows = LfsDfParser.parse(Fixtures.read("lfs_df_degraded_inactive.txt"));
    assertThat(rows).extracting(TargetSpace::flags).containsExactly("", "", "D", "NS", "", "");
    assertThat(rows.get(4)).isEqualTo(new TargetSpace("OST0003", new TargetName("", TargetKind.OST, 3), 0, 0, 0, "", true));
    assertThat(rows.get(5).target()).isEqualTo(new TargetName("fs1", TargetKind.OST, 10));
    assertThat(rows.get(5).target()).hasToString("fs1-OST000a");
    assertThat(rows.get(3).availableKib()).isZero();
  }

  @Test
  void lfsDfRefusesHumanUnitsAndGarbage() {
    assertThatThrownBy(() -> LfsDfParser.parse(Fixtures.read("lfs_df_h.txt")))
        .isInstanceOf(UnexpectedOutputException.class).hasMessageContaining("KiB columns");
    assertThatThrownBy(() -> LfsDfParser.parse("UUID                   1K-blocks        Used   Available Use% Mounted on\nlfs df: cannot open\n"))
        .isInstanceOf(UnexpectedOutputException.class).hasMessageContaining("cannot open");
    assertThatThrownBy(() -> LfsDfParser.parse(
        "UUID                   1K-blocks        Used   Available Use% Mounted on\nlfs-OST0001_UUID  1 1 0 1% /mnt/lfs[OST:2]\n"))
        .isInstanceOf(UnexpectedOutputException.class).hasMessageContaining("[OST:2]");
  }

  @Test
  void lfsQuotaWithinLimits() {
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p.txt"))).isEqualTo(new ProjectQuota(12, 1048576, 2, false));
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p1000_final.txt"))).isEqualTo(new ProjectQuota(49179, 1048576, 3, false));
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p_inodes.txt"))).isEqualTo(new ProjectQuota(49179, 1048576, 3, false));
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p_nolimit.txt"))).isEqualTo(new ProjectQuota(0, 0, 0, false));
  }

  @Test
  void lfsQuotaVerboseReadsOnlyTheFilesystemLine() {
    // The MDT row of -v output carries a '*' of its own (a granted limit reached); the filesystem line does not.
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p_v.txt"))).isEqualTo(new ProjectQuota(12, 1048576, 2, false));
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p_after_write.txt"))).isEqualTo(new ProjectQuota(16403, 1048576, 2, false));
  }

  @Test
  void lfsQuotaOverLimit() {
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p1001_after.txt"))).isEqualTo(new ProjectQuota(102417, 20480, 2, true));
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p1002_after.txt"))).isEqualTo(new ProjectQuota(20496, 20480, 2, true));
  }

  @Test
  void lfsQuotaWithALongMountPointOnTheFilesystemLineAs2161PrintsIt() {
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p_long_mount.txt"))).isEqualTo(new ProjectQuota(49179, 1048576, 3, false));
  }

  @Test
  void lfsQuotaWithALongMountPointOnItsOwnLineAsOlderReleasesPrintIt() {
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p_long_mount_own_line.txt"))).isEqualTo(new ProjectQuota(30720, 20480, 10, true));
  }

  @Test
  void lfsQuotaOfADeletedProjectWhoseBlocksZfsHasNotFreedYet() {
    assertThat(LfsQuotaParser.parse(Fixtures.read("lfs_quota_p_deleted_zfs.txt"))).isEqualTo(new ProjectQuota(16403, 0, 0, false));
  }

  @Test
  void lfsQuotaWithATargetDown() {
    String output = """
        Disk quotas for prj 1000 (pid 1000):
              Filesystem  kbytes   quota   limit   grace   files   quota   limit   grace
                /mnt/lfs    [12]       0 1048576       -       2       0       0       -
        Some errors happened when getting quota info. Some devices may be not working or deactivated. The data in "[]" is inaccurate.
        """;
    assertThat(LfsQuotaParser.parse(output)).isEqualTo(new ProjectQuota(12, 1048576, 2, false));
  }

  @Test
  void lfsQuotaRefusesHumanUnits() {
    assertThatThrownBy(() -> LfsQuotaParser.parse(Fixtures.read("lfs_quota_p_h.txt")))
        .isInstanceOf(UnexpectedOutputException.class).hasMessageContaining("kbytes");
    assertThatThrownBy(() -> LfsQuotaParser.parse("lfs: quotactl failed\n")).isInstanceOf(UnexpectedOutputException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"lctl_dl.txt", "lctl_dl_t.txt", "lctl_dl_after_ost2.txt", "lctl_dl_after_reboot.txt"})
  void lctlDlFindsTheServerTargets(String fixture) {
    List<Device> devices = DeviceListParser.parse(Fixtures.read(fixture));
    assertThat(devices).allSatisfy(d -> assertThat(d.up()).isTrue());
    List<String> targets = devices.stream().flatMap(d -> DeviceListParser.target(d).stream()).map(TargetName::toString).toList();
    assertThat(targets).startsWith("MGS", "lfs-MDT0000", "lfs-OST0000", "lfs-OST0001").doesNotHaveDuplicates();
    assertThat(targets).hasSize(fixture.contains("ost2") || fixture.contains("reboot") ? 5 : 4);
  }

  @Test
  void lctlDlStates() {
    List<Device> devices = DeviceListParser.parse("  0 ST obdfilter fs1-OST0004 fs1-OST0004_UUID 3\n  1 IN osc x y 1\n");
    assertThat(devices.getFirst()).isEqualTo(new Device(0, "ST", "obdfilter", "fs1-OST0004", "fs1-OST0004_UUID", 3));
    assertThat(devices.getFirst().up()).isFalse();
    assertThat(DeviceListParser.target(devices.getFirst())).contains(new TargetName("fs1", TargetKind.OST, 4));
    assertThat(DeviceListParser.target(devices.get(1))).isEmpty();
    assertThatThrownBy(() -> DeviceListParser.parse("no devices\n")).isInstanceOf(UnexpectedOutputException.class);
  }

  @Test
  void recoveryStatusOneLineForm() {
    assertThat(RecoveryStatusParser.parse(Fixtures.read("obdfilter_recovery_status_after_ost2.txt"))).containsExactly(
        Map.entry("lfs-OST0000", new Recovery("INACTIVE", 0)),
        Map.entry("lfs-OST0001", new Recovery("INACTIVE", 0)),
        Map.entry("lfs-OST0002", new Recovery("INACTIVE", 0)));
    assertThat(RecoveryStatusParser.parse(Fixtures.read("mdt_recovery_status.txt"))).containsExactly(Map.entry("lfs-MDT0000", new Recovery("INACTIVE", 0)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"recovery_status_during2.txt", "recovery_status_during3.txt"})
  void recoveryStatusAfterARestart(String fixture) {
    Map<String, Recovery> status = RecoveryStatusParser.parse(Fixtures.read(fixture));
    assertThat(status).containsEntry("lfs-OST0002", new Recovery("COMPLETE", 0)).containsEntry("lfs-MDT0000", new Recovery("INACTIVE", 0)).hasSize(4);
  }

  @Test
  void recoveryStatusWhileTargetsAreMissing() {
    assertThat(RecoveryStatusParser.parse(Fixtures.read("recovery_status_after_crash.txt"))).isEmpty();
    assertThat(RecoveryStatusParser.parse(Fixtures.read("recovery_status_during.txt"))).containsExactly(Map.entry("lfs-MDT0000", new Recovery("INACTIVE", 0)));
  }

  @Test
  void recoveryInProgress() {
    assertThat(RecoveryStatusParser.parse(Fixtures.read("recovery_status_recovering.txt"))).containsExactly(
        Map.entry("fs-OST0000", new Recovery("RECOVERING", 119)),
        Map.entry("fs-OST0001", new Recovery("COMPLETE", 0)),
        Map.entry("fs-MDT0000", new Recovery("WAITING_FOR_CLIENTS", 0)));
  }

  /**
   * An MDT waiting for the other MDTs' update logs. No fixture holds this state: the lines are
   * written after lprocfs_recovery_status_seq_show in Lustre's lprocfs_status_server.c (the
   * "non-ready MDTs" key, with its space and '-'), not captured from a running Lustre.
   */
  @Test
  void recoveryWaitingForOtherMdts() {
    String output = """
        mdt.fs-MDT0001.recovery_status=
        status: WAITING
        non-ready MDTs:  0000
        recovery_start: 1620920843
        time_waited: 12
        obdfilter.fs-OST0000.recovery_status=
        status: COMPLETE
        recovery_start: 1620920800
        recovery_duration: 30
        """;
    assertThat(RecoveryStatusParser.parse(output)).containsExactly(
        Map.entry("fs-MDT0001", new Recovery("WAITING", 0)),
        Map.entry("fs-OST0000", new Recovery("COMPLETE", 0)));
    assertThat(RecoveryStatusParser.parse("mdt.fs-MDT0001.recovery_status=\nstatus: WAITING\nnon-ready MDTs: unknown (not enough RAM)\n"))
        .containsExactly(Map.entry("fs-MDT0001", new Recovery("WAITING", 0)));
    assertThatThrownBy(() -> RecoveryStatusParser.parse("mdt.fs-MDT0001.recovery_status=\nstatus: WAITING\n: no key\n"))
        .isInstanceOf(UnexpectedOutputException.class);
  }

  @Test
  void smallOutputs() {
    assertThat(SmallOutputs.isHealthy(SmallOutputs.healthCheck(Fixtures.read("health_check.txt")))).isTrue();
    assertThat(SmallOutputs.isHealthy(SmallOutputs.healthCheck(Fixtures.read("health_check_after_crash.txt")))).isFalse();
    assertThat(SmallOutputs.isHealthy("NOT HEALTHY")).isFalse();
    assertThat(SmallOutputs.nids(Fixtures.read("lctl_list_nids.txt"))).containsExactly("10.99.0.1@tcp");
    assertThat(SmallOutputs.nids("10.1.0.21@tcp\n10.2.0.21@o2ib\n")).containsExactly("10.1.0.21@tcp", "10.2.0.21@o2ib");
    assertThatThrownBy(() -> SmallOutputs.nids("garbage\n")).isInstanceOf(UnexpectedOutputException.class);
    assertThat(SmallOutputs.version(Fixtures.read("lfs_version.txt"))).isEqualTo("2.16.1");
    assertThat(SmallOutputs.version(Fixtures.read("lctl_version.txt"))).isEqualTo("2.16.1");
    assertThat(SmallOutputs.fsNameOfInstance(Fixtures.read("lfs_getname.txt"))).isEqualTo("lfs");
    assertThat(SmallOutputs.fsNameOfInstance("my-fs-ff1c9f74671fe800 /mnt/x\n")).isEqualTo("my-fs");
  }

  @Test
  void targetNames() {
    assertThat(TargetName.parse("lfs-OST000a")).contains(new TargetName("lfs", TargetKind.OST, 10));
    assertThat(TargetName.parse("MGS")).contains(TargetName.MGS);
    assertThat(TargetName.parse("lfs-MDD0000")).isEmpty();
  }

  @Test
  void mgsLiveListsTheMdtsWhoseConfigurationLogsNameTheOsts() {
    assertThat(MgsLiveParser.mdts(Fixtures.read("mgs_live_lfs.txt"), "lfs")).containsExactly(new TargetName("lfs", TargetKind.MDT, 0));
    assertThatThrownBy(() -> MgsLiveParser.mdts(Fixtures.read("mgs_live_lfs.txt"), "fs1")).as("another filesystem's")
        .isInstanceOf(UnexpectedOutputException.class);
    assertThatThrownBy(() -> MgsLiveParser.mdts("fsname: lfs\nflags: 0x20     gen: 3\nlfs-OST0000\n", "lfs")).as("no MDT")
        .isInstanceOf(UnexpectedOutputException.class).hasMessageContaining("no MDT");
  }

  @Test
  void aConfigLogNamesAnOstByItsOscOrOspDeviceOrItsUuid() {
    TargetName ost1 = new TargetName("fs1", TargetKind.OST, 1);
    String mdtLog = """
        - { index: 31, event: attach, device: fs1-OST0001-osc-MDT0000, type: osp, UUID: fs1-MDT0000-mdtlov_UUID }
        - { index: 33, event: add_osc, device: fs1-MDT0000-mdtlov, ost: fs1-OST0001_UUID, index: 1, gen: 1 }
        """;
    assertThat(ConfigLogParser.mentions(mdtLog, ost1)).isTrue();
    assertThat(ConfigLogParser.mentions(mdtLog, new TargetName("fs1", TargetKind.OST, 0x10))).isFalse();
    assertThat(ConfigLogParser.mentions("", ost1)).as("every record cancelled").isFalse();
  }

  @Test
  void maxCreateCountsAreOneANumberALine() {
    assertThat(SmallOutputs.maxCreateCounts("0\n20000\n")).containsExactly(0L, 20000L);
    assertThatThrownBy(() -> SmallOutputs.maxCreateCounts("")).isInstanceOf(UnexpectedOutputException.class);
    assertThatThrownBy(() -> SmallOutputs.maxCreateCounts("osp.fs1-OST0001-osc-MDT0000.max_create_count=0\n"))
        .isInstanceOf(UnexpectedOutputException.class);
  }

  @Test
  void aPoolListIsThePoolLineThenItsOstsByUuid() {
    assertThat(SmallOutputs.poolMembers("Pool: fs1.flash\nfs1-OST0001_UUID\nfs1-OST000a_UUID\n"))
        .containsExactly(new TargetName("fs1", TargetKind.OST, 1), new TargetName("fs1", TargetKind.OST, 10));
    assertThat(SmallOutputs.poolMembers("Pool: fs1.empty\n")).as("a pool without OSTs").isEmpty();
    assertThatThrownBy(() -> SmallOutputs.poolMembers("fs1-OST0001_UUID\n")).isInstanceOf(UnexpectedOutputException.class);
    assertThatThrownBy(() -> SmallOutputs.poolMembers("Pool: fs1.flash\nfs1-MDT0000_UUID\n")).isInstanceOf(UnexpectedOutputException.class);
  }
}
