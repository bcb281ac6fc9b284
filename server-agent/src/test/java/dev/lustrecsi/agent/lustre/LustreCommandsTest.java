package dev.lustrecsi.agent.lustre;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LustreCommandsTest {
  private static final Path MOUNT = Path.of("/mnt/lfs");
  private static final Path DIR = Path.of("/mnt/lfs/d");

  @Test
  void setstripeAsInTheReferenceSample() {
    // lfs_setstripe_d.txt was produced by: lfs setstripe -c 2 -S 4M /mnt/lfs/d
    assertThat(LustreCommands.setStripe(DIR, new Striping(2, 4L << 20, "")).argv())
        .containsExactly("lfs", "setstripe", "-c", "2", "-S", "4M", "/mnt/lfs/d");
  }

  @Test
  void setstripeWithPoolAllOstsAndSmallSizes() {
    assertThat(LustreCommands.setStripe(DIR, new Striping(-1, 64 << 10, "rdma")).argv())
        .containsExactly("lfs", "setstripe", "-c", "-1", "-S", "64K", "-p", "rdma", "/mnt/lfs/d");
    assertThat(LustreCommands.setStripe(DIR, new Striping(0, 1L << 30, "")).argv())
        .containsExactly("lfs", "setstripe", "-S", "1G", "/mnt/lfs/d");
    assertThat(LustreCommands.setStripe(DIR, new Striping(4, 0, "")).argv())
        .containsExactly("lfs", "setstripe", "-c", "4", "/mnt/lfs/d");
    assertThat(LustreCommands.setStripe(DIR, new Striping(1, 192 << 10, "")).argv())
        .containsExactly("lfs", "setstripe", "-c", "1", "-S", "192K", "/mnt/lfs/d");
  }

  @Test
  void projectAndQuotaCommandsAsInTheReference() {
    assertThat(LustreCommands.setProject(DIR, 1000).argv()).containsExactly("lfs", "project", "-p", "1000", "-s", "-r", "/mnt/lfs/d");
    assertThat(LustreCommands.setProjectBlockLimit(MOUNT, 1000, 1048576).argv())
        .containsExactly("lfs", "setquota", "-p", "1000", "-B", "1048576k", "/mnt/lfs");
    assertThat(LustreCommands.deleteProjectQuota(MOUNT, 1000).argv()).containsExactly("lfs", "setquota", "--delete", "-p", "1000", "/mnt/lfs");
    assertThat(LustreCommands.projectQuota(MOUNT, 4294967295L).argv()).containsExactly("lfs", "quota", "-p", "4294967295", "/mnt/lfs");
  }

  @Test
  void readingCommands() {
    assertThat(LustreCommands.df(MOUNT).argv()).containsExactly("lfs", "df", "/mnt/lfs");
    assertThat(LustreCommands.getName(MOUNT).argv()).containsExactly("lfs", "getname", "/mnt/lfs");
    assertThat(LustreCommands.healthCheck().argv()).containsExactly("lctl", "get_param", "-n", "health_check");
    assertThat(LustreCommands.deviceList().argv()).containsExactly("lctl", "dl");
    assertThat(LustreCommands.listNids().argv()).containsExactly("lctl", "list_nids");
    assertThat(LustreCommands.recoveryStatus(java.util.EnumSet.allOf(TargetKind.class)).orElseThrow().argv())
        .containsExactly("lctl", "get_param", "obdfilter.*.recovery_status", "mdt.*.recovery_status");
    // Never a kind the node has none of: lctl would exit 2, a failed command on every health call.
    assertThat(LustreCommands.recoveryStatus(java.util.Set.of(TargetKind.OST)).orElseThrow().argv())
        .containsExactly("lctl", "get_param", "obdfilter.*.recovery_status");
    assertThat(LustreCommands.recoveryStatus(java.util.Set.of(TargetKind.MGT, TargetKind.MDT)).orElseThrow().argv())
        .containsExactly("lctl", "get_param", "mdt.*.recovery_status");
    assertThat(LustreCommands.recoveryStatus(java.util.Set.of(TargetKind.MGT))).isEmpty();
    assertThat(LustreCommands.version().argv()).containsExactly("lfs", "--version");
  }

  @Test
  void everyCommandHasABoundedTimeout() {
    assertThat(LustreCommands.healthCheck().timeout()).isEqualTo(LustreCommands.QUICK);
    assertThat(LustreCommands.setProject(DIR, 1).timeout()).isGreaterThan(LustreCommands.SERVERS);
  }

  @Test
  void stripingValidationNamesTheField() {
    assertThat(new Striping(-2, 0, "").problem().field()).isEqualTo("stripe_count");
    assertThat(new Striping(1, 100_000, "").problem().field()).isEqualTo("stripe_size_bytes");
    assertThat(new Striping(1, 4L << 30, "").problem().field()).isEqualTo("stripe_size_bytes");
    assertThat(new Striping(1, 0, "a/b").problem().field()).isEqualTo("pool");
    assertThat(new Striping(1, 0, "sixteen-chars-xx").problem().field()).isEqualTo("pool");
    assertThat(new Striping(2001, 0, "").problem().field()).isEqualTo("stripe_count");
    assertThat(new Striping(1, 0, "..").problem().field()).isEqualTo("pool");
    assertThat(new Striping(-1, 4L << 20, "flash").problem()).isNull();
    assertThat(new Striping(2000, (4L << 30) - (64 << 10), "").problem()).as("the largest layout Lustre takes").isNull();
    assertThat(Striping.defaults().isDefault()).isTrue();
  }
}
