package dev.lustrecsi.node.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelLustreClientTest {
  @TempDir Path proc;

  @Test
  void mountsWithFailoverMgsNidsInMountLustreSyntax() throws Exception {
    RecordingRunner runner = RecordingRunner.succeeding();
    new KernelLustreClient(runner, proc).mount(
        new LustreSource("fs1", List.of("10.1.0.10@tcp,10.2.0.10@o2ib", "10.1.0.11@tcp")), Path.of("/var/lib/lustre-csi/mounts/fs1"),
        List.of("flock", "user_xattr"));
    assertThat(runner.commands).containsExactly(List.of(
        "mount", "-t", "lustre", "-o", "flock,user_xattr", "10.1.0.10@tcp,10.2.0.10@o2ib:10.1.0.11@tcp:/fs1", "/var/lib/lustre-csi/mounts/fs1"));
  }

  @Test
  void mountsWithoutOptions() throws Exception {
    RecordingRunner runner = RecordingRunner.succeeding();
    new KernelLustreClient(runner, proc).mount(new LustreSource("lfs", List.of("10.99.0.1@tcp")), Path.of("/mnt/lfs"), List.of());
    assertThat(runner.commands.getFirst()).containsExactly("mount", "-t", "lustre", "10.99.0.1@tcp:/lfs", "/mnt/lfs");
  }

  @Test
  void passesOnWhatMountLustreSaid() throws Exception {
    String said = MountTableTest.fixture("mount_wrong_fsname.txt");
    RecordingRunner runner = new RecordingRunner(c -> new CommandResult(c, 2, "", said));
    assertThatThrownBy(() -> new KernelLustreClient(runner, proc).mount(new LustreSource("nofs", List.of("10.99.0.1@tcp")), Path.of("/mnt/x"), List.of()))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("exited 2")
        .hasMessageContaining("Is the filesystem name correct?");
  }

  @Test
  void sourceNeedsMgsNids() {
    assertThatThrownBy(() -> new LustreSource("fs1", List.of()).mountSource()).hasMessageContaining("no MGS NIDs");
  }

  @Test
  void saysWhenTheClientModuleIsMissing() throws Exception {
    Path bin = Files.createDirectories(proc.resolve("bin"));
    Path helper = Files.writeString(bin.resolve("mount.lustre"), "#!/bin/sh\n");
    helper.toFile().setExecutable(true);
    Path sys = Files.createDirectories(proc.resolve("sys"));
    KernelLustreClient client = new KernelLustreClient(RecordingRunner.succeeding(), proc, sys, List.of(bin));
    Files.writeString(proc.resolve("filesystems"), "nodev\tsysfs\nnodev\ttmpfs\n\text4\n");
    assertThat(client.unavailableReason()).contains("kernel module is not loaded").contains("modprobe lustre");
    Files.writeString(proc.resolve("filesystems"), "nodev\tsysfs\n\text4\nnodev\tlustre\n");
    assertThat(client.unavailableReason()).isNull();
    Files.writeString(proc.resolve("filesystems"), "nodev\tsysfs\n");
    Files.createDirectories(sys.resolve("module/lustre"));
    assertThat(client.unavailableReason()).as("loaded module seen in sysfs").isNull();
  }

  @Test
  void saysWhenMountLustreIsMissing() throws Exception {
    Files.writeString(proc.resolve("filesystems"), "nodev\tlustre\n");
    KernelLustreClient client = new KernelLustreClient(RecordingRunner.succeeding(), proc, proc, List.of(proc.resolve("nowhere")));
    assertThat(client.unavailableReason()).contains("mount.lustre is not installed").contains("install the Lustre client");
  }

  @Test
  void refusesToMountWithoutMgsNidsNamingTheContextKey() {
    RecordingRunner runner = RecordingRunner.succeeding();
    assertThatThrownBy(() -> new KernelLustreClient(runner, proc).mount(new LustreSource("fs1", List.of()), Path.of("/mnt/x"), List.of()))
        .isInstanceOfSatisfying(dev.lustrecsi.common.error.CsiException.class,
            e -> assertThat(e.code()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("volume_context.mgsNids");
    assertThat(runner.commands).isEmpty();
  }
}
