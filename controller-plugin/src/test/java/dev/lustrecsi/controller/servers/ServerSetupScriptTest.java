package dev.lustrecsi.controller.servers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.Filesystems;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the setup script the VMs get, with a real bash, against recording fakes of the Lustre,
 * ZFS, LNet and mount commands. The fakes keep the state the real commands would change (pools,
 * mounts, LNet networks) in files, so a second run sees what the first did.
 */
class ServerSetupScriptTest {
  @TempDir Path dir;
  private Path bin;
  private Path state;
  private Path log;

  private static final String RECORD = "echo \"$(basename \"$0\") $*\" >> \"$FAKE_LOG\"\n";

  @BeforeEach
  void fakes() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    state = Files.createDirectories(dir.resolve("state"));
    log = dir.resolve("commands.log");
    Files.createDirectories(dir.resolve("disks"));
    fake("modprobe", "exit 0");
    fake("zgenhostid", "echo 1234abcd > \"$HOSTID_FILE\"");
    fake("lnetctl", """
        case "$1 $2" in
          "lnet configure") exit 0 ;;
          "net show") [ -e "$FAKE_STATE/net-$4" ] && echo "    - nid: 10.1.0.12@${4%0}"; exit 0 ;;
          "net add") touch "$FAKE_STATE/net-$4" ;;
          *) exit 22 ;;
        esac""");
    fake("zpool", """
        case "$1" in
          list) [ -e "$FAKE_STATE/pool-$5" ] ;;
          import) [ -e "$FAKE_STATE/exported-$2" ] && mv "$FAKE_STATE/exported-$2" "$FAKE_STATE/pool-$2" ;;
          *) exit 22 ;;
        esac""");
    fake("mkfs.lustre", """
        for last; do :; done
        dataset=${@: -2:1}
        [ -e "$FAKE_STATE/pool-${dataset%%/*}" ] && { echo "checking for existing Lustre data: found" >&2; exit 1; }
        touch "$FAKE_STATE/pool-${dataset%%/*}\"""");
    fake("mountpoint", "[ -e \"$FAKE_STATE/mounted-$(echo \"$2\" | tr / _)\" ]");
    fake("mount", "for last; do :; done; touch \"$FAKE_STATE/mounted-$(echo \"$last\" | tr / _)\"");
    fake("lctl", "exit 0");
  }

  private void fake(String name, String body) throws IOException {
    Path script = bin.resolve(name);
    Files.writeString(script, "#!/bin/bash\n" + RECORD + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void attach(String deviceName) throws IOException {
    Files.writeString(dir.resolve("disks").resolve(deviceName), "");
  }

  private List<String> run(LustreFilesystem filesystem, ServerStatus server) throws Exception {
    ServerStatus mgs = filesystem.getStatus().servers().getFirst();
    List<TargetStatus> targets = filesystem.getStatus().targets().stream().filter(t -> t.server().equals(server.name())).toList();
    Path env = dir.resolve("server.env");
    Files.writeString(env, ServerSetup.environment(filesystem, server, mgs, targets)
        + "DISK_DIR=" + dir.resolve("disks") + "\nMOUNT_ROOT=" + dir.resolve("targets") + "\nSTATE_DIR=" + dir.resolve("lib")
        + "\nHOSTID_FILE=" + dir.resolve("hostid") + "\nCLIENT_MOUNT=" + dir.resolve("client") + "\n");
    Path script = dir.resolve("lustre-csi-setup");
    Files.writeString(script, ServerSetup.script());
    Files.deleteIfExists(log);
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
    builder.environment().put("PATH", bin + ":/usr/bin:/bin");
    builder.environment().put("LUSTRE_CSI_ENV", env.toString());
    builder.environment().put("FAKE_LOG", log.toString());
    builder.environment().put("FAKE_STATE", state.toString());
    builder.environment().put("HOSTID_FILE", dir.resolve("hostid").toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  @Test
  void ossFormatsEachOstOnceWithTheReferenceSyntaxAndMountsIt() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0000");
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0001");

    List<String> first = run(filesystem, oss);

    String disks = dir.resolve("disks").toString();
    String targets = dir.resolve("targets").toString();
    assertThat(first).containsSubsequence(
        "zgenhostid ",
        "modprobe lnet",
        "lnetctl lnet configure",
        "lnetctl net show --net tcp0",
        "lnetctl net add --net tcp0 --if lnet0",
        "mkfs.lustre --ost --backfstype=zfs --fsname=fs1 --index=0 --mgsnode=10.1.0.10@tcp lcsi-fs1-ost0000/ost0000 "
            + disks + "/scsi-0QEMU_QEMU_HARDDISK_ost0000",
        "mount -t lustre_tgt lcsi-fs1-ost0000/ost0000 " + targets + "/ost0000",
        "mkfs.lustre --ost --backfstype=zfs --fsname=fs1 --index=1 --mgsnode=10.1.0.10@tcp lcsi-fs1-ost0001/ost0001 "
            + disks + "/scsi-0QEMU_QEMU_HARDDISK_ost0001",
        "mount -t lustre_tgt lcsi-fs1-ost0001/ost0001 " + targets + "/ost0001");

    List<String> second = run(filesystem, oss);
    assertThat(second).noneMatch(line -> line.startsWith("mkfs.lustre") || line.startsWith("mount ")
        || line.startsWith("lnetctl net add") || line.startsWith("zgenhostid"));
  }

  @Test
  void aDiskHoldingATargetIsImportedNeverFormatted() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("virtio-ost0000");
    Files.writeString(state.resolve("exported-lcsi-fs1-ost0000"), "");  // a restarted VM: pool on disk, not imported

    List<String> commands = run(filesystem, oss);

    assertThat(commands).contains("zpool import lcsi-fs1-ost0000")
        .noneMatch(line -> line.startsWith("mkfs.lustre"))
        .contains("mount -t lustre_tgt lcsi-fs1-ost0000/ost0000 " + dir.resolve("targets") + "/ost0000");
  }

  @Test
  void aDiskNotYetAttachedIsLeftForTheNextRun() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    List<String> commands = run(filesystem, filesystem.getStatus().servers().get(2));
    assertThat(commands).noneMatch(line -> line.startsWith("mkfs.lustre") || line.startsWith("mount "));
  }

  @Test
  void mgsEnforcesProjectQuotasForRootTooOnlyOnce() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp", "o2ib")));
    attach("virtio-mgt");

    List<String> first = run(filesystem, filesystem.getStatus().servers().getFirst());

    assertThat(first).contains(
        "lnetctl net add --net tcp0 --if lnet0",
        "lnetctl net add --net o2ib0 --if lnet0",
        "mkfs.lustre --mgs --backfstype=zfs lcsi-fs1-mgt/mgt " + dir.resolve("disks") + "/virtio-mgt",
        "lctl set_param -P osd-*.fs1-OST*.quota_slave.enabled=p",
        "lctl set_param -P osd-*.fs1-MDT*.quota_slave.enabled=p",
        "lctl set_param -P osd-*.fs1-*.quota_slave*.root_prj_enable=1");
    assertThat(run(filesystem, filesystem.getStatus().servers().getFirst())).noneMatch(line -> line.startsWith("lctl set_param"));
  }

  @Test
  void mdsMountsTheFilesystemAsAClientForTheAgent() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    attach("virtio-mdt0000");

    List<String> commands = run(filesystem, filesystem.getStatus().servers().get(1));

    assertThat(commands).containsSubsequence(
        "mkfs.lustre --mdt --backfstype=zfs --fsname=fs1 --index=0 --mgsnode=10.1.0.10@tcp lcsi-fs1-mdt0000/mdt0000 "
            + dir.resolve("disks") + "/virtio-mdt0000",
        "mount -t lustre 10.1.0.10@tcp:/fs1 " + dir.resolve("client"));
  }
}
