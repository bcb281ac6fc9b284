package dev.lustrecsi.sandbox.lustre;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.sandbox.lustre.LustreOutputFormat.DfRow;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulation prints, byte for byte, what real Lustre printed for the same numbers. */
class LustreOutputFormatTest {
  @Test
  void lfsDfIsTheRealLayout() {
    List<DfRow> rows = List.of(
        new DfRow("lfs-MDT0000_UUID", "MDT", 0, 3771264, 3712, 3765504, false),
        new DfRow("lfs-OST0000_UUID", "OST", 0, 7558144, 48128, 7507968, false),
        new DfRow("lfs-OST0001_UUID", "OST", 1, 7558144, 27648, 7528448, false),
        new DfRow("lfs-OST0002_UUID", "OST", 2, 7558144, 2048, 7554048, false));
    assertThat(LustreOutputFormat.df("/mnt/lfs", rows)).isEqualTo(Samples.read("lfs_df_after_ost2.txt"));
  }

  @Test
  void lfsQuotaIsTheRealLayout() {
    assertThat(LustreOutputFormat.projectQuota(1000, "/mnt/lfs", 12, 1048576, 2)).isEqualTo(Samples.read("lfs_quota_p.txt"));
    // Over the limit: the '*' sits right after the number, as in the capture (its -v rows aside).
    assertThat(Samples.read("lfs_quota_p1001_after.txt")).startsWith(LustreOutputFormat.projectQuota(1001, "/mnt/lfs", 102417, 20480, 2));
    // 2.16.1 keeps a long mount point (the MDS's client mount) on the filesystem line.
    assertThat(LustreOutputFormat.projectQuota(1000, "/lustre/client/fs1", 12, 1048576, 2).lines())
        .containsExactly("Disk quotas for prj 1000 (pid 1000):", Samples.read("lfs_quota_p.txt").lines().toList().get(1),
            " /lustre/client/fs1      12       0 1048576       -       2       0       0       -");
  }

  @Test
  void lctlDlIsTheRealLayout() {
    String sample = Samples.read("lctl_dl_after_ost2.txt");
    assertThat(sample).startsWith(LustreOutputFormat.device(0, "UP", "osd-zfs", "MGS-osd", "MGS-osd_UUID", 5)
        + LustreOutputFormat.device(1, "UP", "mgs", "MGS", "MGS", 5));
    assertThat(sample).contains(LustreOutputFormat.device(25, "UP", "obdfilter", "lfs-OST0002", "lfs-OST0002_UUID", 7));
  }

  @Test
  void recoveryStatusIsTheRealLayout() {
    assertThat(LustreOutputFormat.recoveryStatus("obdfilter.lfs-OST0000.recovery_status", "INACTIVE", 0, 0, 0)
        + LustreOutputFormat.recoveryStatus("obdfilter.lfs-OST0001.recovery_status", "INACTIVE", 0, 0, 0))
        .isEqualTo(Samples.read("obdfilter_recovery_status.txt"));
    String complete = LustreOutputFormat.recoveryStatus("obdfilter.lfs-OST0000.recovery_status", "COMPLETE", 1795334742, 0, 1);
    // The capture's first block, but for its last_transno, which counts the target's own transactions.
    assertThat(complete.replaceAll("last_transno: \\d+", "last_transno: N"))
        .isEqualTo(String.join("\n", Samples.read("recovery_status_during2.txt").lines().limit(9).toList()).replaceAll("last_transno: \\d+", "last_transno: N") + "\n");
  }
}
