package dev.lustrecsi.controller.servers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.Filesystems;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
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
    // zgenhostid [-f] [-o FILE] [HOSTID]: a random id when none is given; written as the 4 bytes the kernel reads.
    fake("zgenhostid", """
        out=$HOSTID_FILE; id=""; force=""  # the test's, never this machine's /etc/hostid
        while [ $# -gt 0 ]; do
          case "$1" in -f) force=1 ;; -o) out=$2; shift ;; *) id=$1 ;; esac; shift
        done
        [ -z "$id" ] && id=$(printf '%08x' $((RANDOM * 65536 + RANDOM)))
        [ -e "$out" ] && [ -z "$force" ] && { echo "zgenhostid: $out exists" >&2; exit 1; }
        printf "\\x${id:6:2}\\x${id:4:2}\\x${id:2:2}\\x${id:0:2}" > "$out\"""");
    fake("lnetctl", """
        case "$1 $2" in
          "lnet configure") exit 0 ;;
          "net show")
            [ -e "$FAKE_STATE/net-$4" ] || exit 0
            echo "    - nid: 10.1.0.12@${4%0}"
            sleep 0.2  # the rest written later, as a slower writer would: a reader that stops at the nid must not fail the check
            echo "      status: up"; echo "      interfaces:"; echo "          0: ${4%0}" ;;
          "net add") touch "$FAKE_STATE/net-$4" ;;
          *) exit 22 ;;
        esac""");
    // Pools as ZFS keeps them: imported (pool-NAME), exported cleanly (exported-NAME), or left on
    // the disk by a system that did not export it (ondisk-NAME, holding that system's host id).
    // multihost-NAME: the pool's multihost is on; comment-NAME: its comment, kept in its labels and
    // listed by zpool import -d. alive-NAME: the system that left it on the disk still runs and
    // writes it (an old instance on a node cut off): with multihost on, the activity check of an
    // import (and of the listing) sees that and refuses it, -f or not; with multihost off nothing
    // does, and an import -f makes a second writer (double-import-NAME, which no test may see).
    // ZFS imports a pool not exported without -f only for the host id that last had it.
    fake("zpool", """
        me=$(od -An -tx4 "$HOSTID_FILE" 2>/dev/null | tr -d ' \\n')
        case "$1 $2" in
          "list -H") [ -e "$FAKE_STATE/pool-$5" ] ;;
          "import -d")
            serial=${3##*[-_]}
            for f in "$FAKE_STATE"/ondisk-*-"$serial" "$FAKE_STATE"/exported-*-"$serial"; do
              [ -e "$f" ] || continue
              name=${f##*/}; name=${name#*-}
              echo "   pool: $name"
              sleep 0.2  # the rest written later, as a slower writer would: a reader that stops at the pool must not fail the check
              echo "  state: ONLINE"
              if [[ ${f##*/} == ondisk-* ]] && [ "$(cat "$f")" != "$me" ]; then
                if [ -e "$FAKE_STATE/alive-$name" ] && [ -e "$FAKE_STATE/multihost-$name" ]; then
                  echo " status: The pool is currently imported by another system."
                else
                  echo " status: The pool was last accessed by another system."
                fi
              fi
              [ ! -e "$FAKE_STATE/comment-$name" ] || echo "comment: $(cat "$FAKE_STATE/comment-$name")"
            done
            exit 0 ;;
          import*)
            name=$2; force=""
            [ "$2" = -f ] && { name=$3; force=1; }
            if [ -e "$FAKE_STATE/exported-$name" ]; then
              mv "$FAKE_STATE/exported-$name" "$FAKE_STATE/pool-$name"
            elif [ -e "$FAKE_STATE/ondisk-$name" ] && [ "$(cat "$FAKE_STATE/ondisk-$name")" = "$me" ]; then
              mv "$FAKE_STATE/ondisk-$name" "$FAKE_STATE/pool-$name"
            elif [ -e "$FAKE_STATE/ondisk-$name" ] && [ -e "$FAKE_STATE/alive-$name" ] && [ -e "$FAKE_STATE/multihost-$name" ]; then
              echo "cannot import '$name': pool is imported on oss (hostid: 0x$(cat "$FAKE_STATE/ondisk-$name"))" >&2
              echo "Export the pool on the other system, then run 'zpool import'." >&2; exit 1
            elif [ -e "$FAKE_STATE/ondisk-$name" ] && [ -n "$force" ]; then
              [ ! -e "$FAKE_STATE/alive-$name" ] || touch "$FAKE_STATE/double-import-$name"
              mv "$FAKE_STATE/ondisk-$name" "$FAKE_STATE/pool-$name"
            elif [ -e "$FAKE_STATE/ondisk-$name" ]; then
              echo "cannot import '$name': pool was previously in use from another system." >&2
              echo "Last accessed by oss (hostid=$(cat "$FAKE_STATE/ondisk-$name" | sed 's/^0*//')) at Mon Dec  7 23:00:00 2026" >&2
              echo "The pool can be imported, use 'zpool import -f' to import the pool." >&2; exit 1
            else
              echo "cannot import '$name': no such pool available" >&2; exit 1
            fi ;;
          export*)
            [ -e "$FAKE_STATE/pool-$2" ] || { echo "cannot open '$2': no such pool" >&2; exit 1; }
            mv "$FAKE_STATE/pool-$2" "$FAKE_STATE/exported-$2" ;;
          "destroy -f")
            [ -e "$FAKE_STATE/pool-$3" ] || { echo "cannot open '$3': no such pool" >&2; exit 1; }
            rm -f "$FAKE_STATE/pool-$3" "$FAKE_STATE/unfinished-$3" "$FAKE_STATE/multihost-$3" "$FAKE_STATE/comment-$3" ;;
          "get -H")
            [ -e "$FAKE_STATE/pool-$6" ] || { echo "cannot open '$6': no such pool" >&2; exit 1; }
            case "$5" in
              multihost) if [ -e "$FAKE_STATE/multihost-$6" ]; then echo on; else echo off; fi ;;
              comment) if [ -e "$FAKE_STATE/comment-$6" ]; then cat "$FAKE_STATE/comment-$6"; else echo -; fi ;;
              *) exit 22 ;;
            esac ;;
          "set multihost=on")
            [ -e "$FAKE_STATE/pool-$3" ] || { echo "cannot open '$3': no such pool" >&2; exit 1; }
            [ -n "$me" ] && [ ! -e "$FAKE_STATE/multihost-refused" ] || { echo "cannot set property for '$3': requires a non-zero system hostid" >&2; exit 1; }
            touch "$FAKE_STATE/multihost-$3" ;;
          set\\ comment=*)
            [ -e "$FAKE_STATE/pool-$3" ] || { echo "cannot open '$3': no such pool" >&2; exit 1; }
            echo "${2#comment=}" > "$FAKE_STATE/comment-$3" ;;
          *) exit 22 ;;
        esac""");
    // A pool's one target dataset, POOL/SERIAL, exists with its Lustre properties unless mkfs.lustre
    // stopped right after its zpool create (unfinished-POOL: the pool's root dataset only).
    // zfs get -H -o value PROPERTY DATASET: its svname, the agent's release tag ("yes") on a
    // drained OST's dataset, a value zfs set gave it, "-" for a property not set. zfs list -H -r
    // -o name POOL: its datasets. zfs set PROPERTY=VALUE DATASET.
    fake("zfs", """
        case "$1 $2 $3 $4" in
          "get -H -o value")
            pool=${6%%/*}
            if [ -e "$FAKE_STATE/unfinished-$pool" ]; then echo "cannot open '$6': dataset does not exist" >&2; exit 1; fi
            if [ "$5" = lustre:svname ]; then echo "fs1:${6##*/}"
            elif [ "$5" = lustre-csi:released ] && [ -e "$FAKE_STATE/released-$(echo "$6" | tr / _)" ]; then echo yes
            elif [ -e "$FAKE_STATE/property-$(echo "$6" | tr / _)-$5" ]; then cat "$FAKE_STATE/property-$(echo "$6" | tr / _)-$5"
            else echo -; fi ;;
          set\\ *)
            [ -e "$FAKE_STATE/pool-${3%%/*}" ] || { echo "cannot open '$3': dataset does not exist" >&2; exit 1; }
            echo "${2#*=}" > "$FAKE_STATE/property-$(echo "$3" | tr / _)-${2%%=*}" ;;
          "list -H -r -o")
            [ -e "$FAKE_STATE/pool-$6" ] || { echo "cannot open '$6': dataset does not exist" >&2; exit 1; }
            echo "$6"
            [ -e "$FAKE_STATE/unfinished-$6" ] || echo "$6/${6##*-}"
            [ ! -e "$FAKE_STATE/more-datasets-$6" ] || echo "$6/data" ;;
          *) exit 22 ;;
        esac""");
    // mkfs.lustre dies right after its zpool create while mkfs-dies exists (the VM stopped there).
    fake("mkfs.lustre", """
        for last; do :; done
        dataset=${@: -2:1}
        # zpool create -f: refused for a pool imported here, and writes over a pool merely left on the disk.
        [ -e "$FAKE_STATE/pool-${dataset%%/*}" ] && { echo "cannot create '${dataset%%/*}': pool already exists" >&2; exit 1; }
        rm -f "$FAKE_STATE/ondisk-${dataset%%/*}" "$FAKE_STATE/exported-${dataset%%/*}" "$FAKE_STATE/multihost-${dataset%%/*}" "$FAKE_STATE/comment-${dataset%%/*}"
        touch "$FAKE_STATE/pool-${dataset%%/*}"
        if [ -e "$FAKE_STATE/mkfs-dies" ]; then touch "$FAKE_STATE/unfinished-${dataset%%/*}"; exit 137; fi""");
    fake("mountpoint", "[ -e \"$FAKE_STATE/mounted-$(echo \"$2\" | tr / _)\" ]");
    // A client mount blocks for as long as the MDS refuses clients (while client-mount-blocks exists).
    fake("mount", """
        for last; do :; done
        if [ "$2" = lustre_tgt ] && [ -e "$FAKE_STATE/unfinished-${3%%/*}" ]; then
          echo "mount.lustre: $3 has no Lustre properties" >&2; exit 19
        fi
        if [ "$2" = lustre ] && [ -e "$FAKE_STATE/client-mount-blocks" ]; then
          sleep 100000
        fi
        touch "$FAKE_STATE/mounted-$(echo "$last" | tr / _)\"""");
    fake("lctl", "exit 0");
    // As systemd does with a unit: one attempt at a time, in a process of its own that nobody waits for.
    fake("systemctl", """
        [ "$1 $2 $3" = "start --no-block lustre-csi-client-mount.service" ] || exit 22
        nohup flock -n "$FAKE_STATE/client-mount.lock" bash "$FAKE_SETUP" client-mount >> "$FAKE_STATE/client-mount.out" 2>&1 < /dev/null &
        echo $! > "$FAKE_STATE/client-mount.pid\"""");
  }

  @AfterEach
  void stopAClientMountStillTrying() throws IOException {
    Path pid = state.resolve("client-mount.pid");
    if (Files.exists(pid)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(attempt -> {
        attempt.descendants().forEach(ProcessHandle::destroyForcibly);
        attempt.destroyForcibly();
      });
    }
  }

  private void fake(String name, String body) throws IOException {
    Path script = bin.resolve(name);
    Files.writeString(script, "#!/bin/bash\n" + RECORD + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void attach(String deviceName) throws IOException {
    Files.writeString(dir.resolve("disks").resolve(deviceName), "");
  }

  /** Runs the script for {@code server}, which must succeed, and returns the commands it ran. */
  /** The mount of a target's dataset under the script's mount root, as the fake mount logs it. */
  private String mounted(String target) {
    return "mount -t lustre_tgt lcsi-fs1-" + target + "/" + target + " " + dir.resolve("targets") + "/" + target;
  }

  private List<String> run(LustreFilesystem filesystem, ServerStatus server) throws Exception {
    writeEnvironment(filesystem, server);
    bash(dir.resolve("lustre-csi-setup"), 0);
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  /** Writes the script and its settings for {@code server}, with this test's directories, and forgets the commands run before. */
  private void writeEnvironment(LustreFilesystem filesystem, ServerStatus server) throws IOException {
    ServerStatus mgs = filesystem.getStatus().servers().getFirst();
    Files.writeString(dir.resolve("server.env"), ServerSetup.environment(filesystem, server, mgs)
        + "DISK_DIR=" + dir.resolve("disks") + "\nMOUNT_ROOT=" + dir.resolve("targets") + "\nSTATE_DIR=" + dir.resolve("lib")
        + "\nHOSTID_FILE=" + dir.resolve("hostid") + "\nRUN_DIR=" + dir.resolve("run") + "\nCLIENT_MOUNT=" + dir.resolve("client")
        + "\nCLIENT_MOUNT_TIMEOUT=" + CLIENT_MOUNT_TIMEOUT_SECONDS + "\n");
    Files.writeString(dir.resolve("lustre-csi-setup"), ServerSetup.script());
    Files.deleteIfExists(log);
  }

  /** What a VM restarted from its containerDisk no longer has: its host id, its state directory, its mounts (and /run). */
  private void bootFromAFreshRootDisk() throws IOException {
    Files.deleteIfExists(dir.resolve("hostid"));
    Files.deleteIfExists(dir.resolve("run/hostid-made"));
    if (Files.exists(dir.resolve("lib"))) {
      try (var files = Files.walk(dir.resolve("lib"))) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    try (var files = Files.list(state)) {
      files.filter(f -> f.getFileName().toString().startsWith("mounted-")).forEach(f -> f.toFile().delete());
    }
  }

  /** A client mount attempt gives up after this long here (two minutes in a VM). */
  private static final int CLIENT_MOUNT_TIMEOUT_SECONDS = 1;

  /**
   * Runs the script with the fakes first on PATH; it must end within 120 s with {@code exitCode}.
   * A run takes a second or two; the bounds here and below are loose because a build machine under
   * load can make it ten times that, and what they catch (a mount the script waits on) never ends.
   */
  private String bash(Path script, int exitCode, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PATH", bin + ":/usr/bin:/bin");
    builder.environment().put("LUSTRE_CSI_ENV", dir.resolve("server.env").toString());
    builder.environment().put("FAKE_LOG", log.toString());
    builder.environment().put("FAKE_STATE", state.toString());
    builder.environment().put("FAKE_SETUP", script.toString());
    builder.environment().put("HOSTID_FILE", dir.resolve("hostid").toString());
    Path output = dir.resolve("setup.out");
    Process process = builder.redirectOutput(output.toFile()).start();
    boolean ended = process.waitFor(120, TimeUnit.SECONDS);
    if (!ended) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    assertThat(ended).as("the script ended within 120 s: %s", Files.readString(output)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(output)).isEqualTo(exitCode);
    return Files.readString(output);
  }

  @Test
  void ossFormatsEachOstOnceWithTheReferenceSyntaxAndMountsIt() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0000");
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0001");
    byte[] shipped = {0x0c, 0x00, 0x01, 0x0a};  // a host id an image carried: every VM made from it would share it
    Files.write(dir.resolve("hostid"), shipped);

    List<String> first = run(filesystem, oss);
    assertThat(Files.readAllBytes(dir.resolve("hostid"))).as("this boot's own host id").hasSize(4).isNotEqualTo(shipped);

    String disks = dir.resolve("disks").toString();
    assertThat(first).containsSubsequence(
        "zgenhostid -f -o " + dir.resolve("hostid"),
        "modprobe lnet",
        "lnetctl lnet configure",
        "lnetctl net show --net tcp0",
        "lnetctl net add --net tcp0 --if lnet0",
        "mkfs.lustre --ost --backfstype=zfs --fsname=fs1 --index=0 --mgsnode=10.1.0.10@tcp lcsi-fs1-ost0000/ost0000 "
            + disks + "/scsi-0QEMU_QEMU_HARDDISK_ost0000",
        "zpool set multihost=on lcsi-fs1-ost0000",
        "zpool set comment=lustre-csi:multihost lcsi-fs1-ost0000",
        mounted("ost0000"),
        "mkfs.lustre --ost --backfstype=zfs --fsname=fs1 --index=1 --mgsnode=10.1.0.10@tcp lcsi-fs1-ost0001/ost0001 "
            + disks + "/scsi-0QEMU_QEMU_HARDDISK_ost0001",
        mounted("ost0001"));

    List<String> second = run(filesystem, oss);
    assertThat(second).noneMatch(line -> line.startsWith("mkfs.lustre") || line.startsWith("mount ")
        || line.startsWith("lnetctl net add") || line.startsWith("zgenhostid") || line.startsWith("zpool set"));
  }

  /**
   * ostsPerOss above 1: the controller hot-plugs the next OST's disk into the running OSS and
   * changes nothing else there (cloud-init ran at boot). The timer's next run formats and mounts
   * it: the script takes its targets from the disks attached now.
   */
  @Test
  void anOstDiskHotPluggedIntoTheRunningServerIsFormattedAndMountedByTheNextRun() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("virtio-ost0000");
    assertThat(run(filesystem, oss)).anyMatch(line -> line.startsWith("mkfs.lustre --ost") && line.contains("--index=0"))
        .noneMatch(line -> line.contains("ost0001"));

    attach("virtio-ost0001");
    attach("virtio-ost0001-part1");  // ZFS partitions a whole disk: its partitions are no targets
    List<String> next = run(filesystem, oss);

    assertThat(next).containsSubsequence(
        "mkfs.lustre --ost --backfstype=zfs --fsname=fs1 --index=1 --mgsnode=10.1.0.10@tcp lcsi-fs1-ost0001/ost0001 "
            + dir.resolve("disks") + "/virtio-ost0001",
        mounted("ost0001"))
        .noneMatch(line -> line.startsWith("mkfs.lustre") && line.contains("ost0000"))
        .noneMatch(line -> line.contains("part1"));
  }

  /**
   * A drained OST's disk stays attached from the agent's release (tag, unmount, export) until the
   * controller detaches it. The timer runs in between, and on a reboot: it must not import and
   * mount the OST again, which the MGS no longer lists.
   */
  @Test
  void anOstReleasedByADrainIsNeverMountedAgain() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("virtio-ost0000");
    attach("virtio-ost0001");
    run(filesystem, oss);
    // What the agent's release did to ost0001.
    Files.writeString(state.resolve("released-lcsi-fs1-ost0001_ost0001"), "");
    Files.delete(state.resolve("mounted-" + dir.resolve("targets").resolve("ost0001").toString().replace('/', '_')));
    Files.move(state.resolve("pool-lcsi-fs1-ost0001"), state.resolve("exported-lcsi-fs1-ost0001"));

    List<String> next = run(filesystem, oss);

    assertThat(next).containsSubsequence("zpool import lcsi-fs1-ost0001", "zfs get -H -o value lustre-csi:released lcsi-fs1-ost0001/ost0001",
            "zpool export lcsi-fs1-ost0001")
        .noneMatch(line -> line.startsWith("mount ") || line.startsWith("mkfs.lustre"));
    assertThat(state.resolve("exported-lcsi-fs1-ost0001")).exists();
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
        .contains(mounted("ost0000"));
  }

  /**
   * The VM stops hard (its node is lost) and KubeVirt starts it again: its containerDisk root keeps
   * nothing, /etc/hostid included, and its pools were never exported. The new boot takes a host id
   * of its own and imports them with -f, which the pools' multihost=on guards (the mark says so):
   * nothing is formatted.
   */
  @Test
  void aVmBootingAgainFromAFreshRootDiskTakesANewHostIdAndImportsItsMultihostPoolsWithForce() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0000");
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0001");
    run(filesystem, oss);
    byte[] firstHostId = Files.readAllBytes(dir.resolve("hostid"));
    stopHard(List.of("lcsi-fs1-ost0000", "lcsi-fs1-ost0001"), false);
    bootFromAFreshRootDisk();

    List<String> reboot = run(filesystem, oss);

    assertThat(Files.readAllBytes(dir.resolve("hostid"))).as("a host id of this boot's own").hasSize(4).isNotEqualTo(firstHostId);
    assertThat(reboot).contains("zgenhostid -f -o " + dir.resolve("hostid"),
            "zpool import -f lcsi-fs1-ost0000", "zpool import -f lcsi-fs1-ost0001")
        .noneMatch(line -> line.startsWith("mkfs.lustre"))
        .contains(mounted("ost0000"),
            mounted("ost0001"));
  }

  /**
   * The node is cut off, not dead: the old instance still runs with its pools imported, and a new
   * one boots elsewhere with the same disks. The activity check sees the old instance's writes, so
   * the new one imports nothing, mounts nothing, and says why; once the old instance is gone, the
   * timer's next run imports and mounts them.
   */
  @Test
  void aPoolStillInUseByAnOldInstanceIsNotImportedUntilThatInstanceIsGone() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0000");
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0001");
    run(filesystem, oss);
    stopHard(List.of("lcsi-fs1-ost0000"), true);  // ost0000's old instance still writes; ost0001's is gone
    stopHard(List.of("lcsi-fs1-ost0001"), false);
    bootFromAFreshRootDisk();

    writeEnvironment(filesystem, oss);
    String output = bash(dir.resolve("lustre-csi-setup"), 1);

    assertThat(output).contains("ost0000 holds pool lcsi-fs1-ost0000, in use by another instance of this server",
        "the target stays down and is tried again every minute");
    assertThat(Files.readAllLines(log)).noneMatch(line -> line.startsWith("mkfs.lustre") || line.contains("ost0000/ost0000 "))
        .contains(mounted("ost0001"));
    assertThat(state.resolve("double-import-lcsi-fs1-ost0000")).doesNotExist();
    assertThat(state.resolve("pool-lcsi-fs1-ost0000")).doesNotExist();
    assertThat(dir.resolve("lib/pools/ost0000")).content().contains("in use by another instance of this server");

    Files.delete(state.resolve("alive-lcsi-fs1-ost0000"));  // the old instance is gone (its node came back and stopped it, or was fenced)
    List<String> later = run(filesystem, oss);

    assertThat(later).contains("zpool import -f lcsi-fs1-ost0000", mounted("ost0000"))
        .noneMatch(line -> line.startsWith("mkfs.lustre"));
    assertThat(dir.resolve("lib/pools/ost0000")).doesNotExist();
  }

  /**
   * A pool made before each boot had a host id of its own: multihost off, no mark, last imported
   * under the host id derived from the server's address. It is imported with -f once (as it was
   * imported without -f then) and gets multihost=on and the mark, so the next boot's import is
   * guarded. A pool last imported by any other host id without the mark is left alone.
   */
  @Test
  void aPoolFromBeforeMultihostIsImportedOnceAndConverges() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("virtio-ost0000");
    Files.writeString(state.resolve("ondisk-lcsi-fs1-ost0000"), "0a01000c");
    assertThat(ServerSetup.legacyHostId(oss.address())).isEqualTo("0a01000c");

    List<String> commands = run(filesystem, oss);

    assertThat(commands).containsSubsequence("zpool import lcsi-fs1-ost0000", "zpool import -f lcsi-fs1-ost0000",
            "zpool set multihost=on lcsi-fs1-ost0000", "zpool set comment=lustre-csi:multihost lcsi-fs1-ost0000",
            mounted("ost0000"))
        .noneMatch(line -> line.startsWith("mkfs.lustre"));
    assertThat(state.resolve("multihost-lcsi-fs1-ost0000")).exists();
  }

  /**
   * multihost cannot be turned on (here: refused): the target still serves, but its pool gets no
   * mark, so after a restart it is left to the admin rather than imported with -f unguarded.
   */
  @Test
  void aPoolWhoseMultihostCouldNotBeTurnedOnIsNeverMarkedNorForcedLater() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("virtio-ost0000");
    Files.writeString(state.resolve("multihost-refused"), "");

    List<String> first = run(filesystem, oss);

    assertThat(first).contains("zpool set multihost=on lcsi-fs1-ost0000", mounted("ost0000"))
        .noneMatch(line -> line.startsWith("zpool set comment"));
    stopHard(List.of("lcsi-fs1-ost0000"), false);
    bootFromAFreshRootDisk();
    writeEnvironment(filesystem, oss);
    String output = bash(dir.resolve("lustre-csi-setup"), 1);
    assertThat(output).contains("ost0000 holds ZFS pool lcsi-fs1-ost0000, which this server cannot import; not formatting it");
    assertThat(Files.readAllLines(log)).noneMatch(line -> line.startsWith("zpool import -f") || line.startsWith("mkfs.lustre"));
  }

  /** What a VM stopping without exporting leaves: its pools on the disks under its host id; {@code alive}: it still runs and writes them. */
  private void stopHard(List<String> pools, boolean alive) throws IOException {
    String hostId = new String(new ProcessBuilder("bash", "-c", "od -An -tx4 \"$0\" | tr -d ' \\n'", dir.resolve("hostid").toString())
        .start().getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    for (String pool : pools) {
      Files.move(state.resolve("pool-" + pool), state.resolve("ondisk-" + pool));
      Files.writeString(state.resolve("ondisk-" + pool), hostId);
      if (alive) {
        Files.writeString(state.resolve("alive-" + pool), "");
      }
    }
  }

  /** A disk holding a pool this server cannot import (another host id) is left alone, loudly, and the other targets still come up. */
  @Test
  void aDiskWhosePoolCannotBeImportedIsNeverFormattedAndTheSetupFails() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 2, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0000");
    attach("scsi-0QEMU_QEMU_HARDDISK_ost0001");
    Files.writeString(state.resolve("ondisk-lcsi-fs1-ost0000"), "deadbeef");

    writeEnvironment(filesystem, oss);
    String output = bash(dir.resolve("lustre-csi-setup"), 1);

    List<String> commands = Files.readAllLines(log);
    assertThat(commands).noneMatch(line -> line.startsWith("mkfs.lustre") && line.contains("ost0000"))
        .contains(mounted("ost0001"));
    assertThat(output).contains("ost0000 holds ZFS pool lcsi-fs1-ost0000, which this server cannot import; not formatting it");
    assertThat(state.resolve("ondisk-lcsi-fs1-ost0000")).hasContent("deadbeef");
  }

  /**
   * The setup stops inside mkfs.lustre, after its zpool create and before the dataset and its Lustre
   * properties: the pool on the disk is the target's own, never mounted. The next run formats it
   * again, not taking it for a target (which would never mount).
   */
  @Test
  void aPoolLeftByAnUnfinishedFormatIsFormattedAgainAfterTheRestart() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("virtio-ost0000");
    Files.writeString(state.resolve("mkfs-dies"), "");
    writeEnvironment(filesystem, oss);
    bash(dir.resolve("lustre-csi-setup"), 1);
    // The setup was stopped inside mkfs.lustre and runs again in the same boot (same host id): the
    // pool stays on the disk, not exported, and was never marked. (After a reboot, a new host id finds
    // it unmarked and leaves it to the admin: see troubleshooting.md.)
    Files.delete(state.resolve("mkfs-dies"));
    stopHard(List.of("lcsi-fs1-ost0000"), false);

    List<String> commands = run(filesystem, oss);

    assertThat(commands).containsSubsequence("zpool import lcsi-fs1-ost0000", "zfs get -H -o value lustre:svname lcsi-fs1-ost0000/ost0000",
        "zfs list -H -r -o name lcsi-fs1-ost0000", "zpool destroy -f lcsi-fs1-ost0000",
        "mkfs.lustre --ost --backfstype=zfs --fsname=fs1 --index=0 --mgsnode=10.1.0.10@tcp lcsi-fs1-ost0000/ost0000 "
            + dir.resolve("disks") + "/virtio-ost0000",
        mounted("ost0000"));
    assertThat(run(filesystem, oss)).noneMatch(line -> line.startsWith("mkfs.lustre") || line.startsWith("zpool destroy"));
  }

  /** A pool of the target's name without its Lustre properties but with datasets mkfs.lustre never makes is not ours to destroy. */
  @Test
  void aPoolWithoutTheTargetButWithOtherDatasetsIsLeftAlone() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    ServerStatus oss = filesystem.getStatus().servers().get(2);
    attach("virtio-ost0000");
    for (String marker : List.of("exported-", "unfinished-", "more-datasets-")) {
      Files.writeString(state.resolve(marker + "lcsi-fs1-ost0000"), "");
    }
    writeEnvironment(filesystem, oss);

    String output = bash(dir.resolve("lustre-csi-setup"), 1);

    assertThat(output).contains("ost0000 holds pool lcsi-fs1-ost0000 with no Lustre target in lcsi-fs1-ost0000/ost0000 but other datasets");
    assertThat(Files.readAllLines(log)).noneMatch(line -> line.startsWith("mkfs.lustre") || line.startsWith("zpool destroy")
        || line.startsWith("mount "));
    assertThat(state.resolve("pool-lcsi-fs1-ost0000")).exists();
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
        "lctl set_param -P osd-*.fs1-*.quota_slave*.root_prj_enable=1",
        "zfs set lustre-csi:quota-params=yes lcsi-fs1-mgt/mgt");
    assertThat(run(filesystem, filesystem.getStatus().servers().getFirst())).noneMatch(line -> line.startsWith("lctl set_param"));

    // The VM boots again from a fresh root disk (nothing of the last boot's state is left there):
    // the MGT, which keeps the configuration log, keeps the mark too.
    Files.move(state.resolve("pool-lcsi-fs1-mgt"), state.resolve("exported-lcsi-fs1-mgt"));
    bootFromAFreshRootDisk();
    assertThat(run(filesystem, filesystem.getStatus().servers().getFirst())).contains("zpool import lcsi-fs1-mgt")
        .noneMatch(line -> line.startsWith("lctl set_param") || line.startsWith("mkfs.lustre"));
  }

  @Test
  void mdsMountsTheFilesystemAsAClientForTheAgentInAUnitOfItsOwn() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    attach("virtio-mdt0000");

    List<String> commands = run(filesystem, filesystem.getStatus().servers().get(1));

    assertThat(commands).containsSubsequence(
        "mkfs.lustre --mdt --backfstype=zfs --fsname=fs1 --index=0 --mgsnode=10.1.0.10@tcp lcsi-fs1-mdt0000/mdt0000 "
            + dir.resolve("disks") + "/virtio-mdt0000",
        "systemctl start --no-block " + ServerSetup.CLIENT_MOUNT_SERVICE);
    awaitClientMountStatus("mounted: 10.1.0.10@tcp:/fs1 at " + dir.resolve("client"));
    assertThat(Files.readAllLines(log)).contains("mount -t lustre -o user_xattr 10.1.0.10@tcp:/fs1 " + dir.resolve("client"));
    assertThat(run(filesystem, filesystem.getStatus().servers().get(1))).as("mounted: nothing to start")
        .noneMatch(line -> line.startsWith("systemctl") || line.startsWith("mount "));
  }

  /**
   * The MDS refuses client connects while the filesystem has no OST up, and mount waits as long as
   * that lasts: the setup must finish anyway, the attempt give up in time, the status say why, and
   * the next run try again.
   */
  @Test
  void aClientMountThatBlocksNeitherHoldsUpTheSetupNorStopsTheNextRunFromTryingAgain() throws Exception {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    ServerStatus mds = filesystem.getStatus().servers().get(1);
    attach("virtio-mdt0000");
    Files.writeString(state.resolve("client-mount-blocks"), "");

    long started = System.nanoTime();
    List<String> first = run(filesystem, mds);
    // Without a bound the mount would wait for as long as the file above exists (the fake sleeps
    // for a day); the limit is loose because the script's other steps take seconds on a loaded machine.
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).as("the setup waits for no client mount")
        .isLessThan(java.time.Duration.ofSeconds(60));
    assertThat(first).contains(mounted("mdt0000"),
        "systemctl start --no-block " + ServerSetup.CLIENT_MOUNT_SERVICE);
    awaitClientMountStatus("waiting for OSTs: mount -t lustre 10.1.0.10@tcp:/fs1 gave up after 1 s at ");

    assertThat(run(filesystem, mds)).as("the next run starts another attempt").contains("systemctl start --no-block " + ServerSetup.CLIENT_MOUNT_SERVICE);
    awaitLogged("mount -t lustre -o user_xattr 10.1.0.10@tcp:/fs1 " + dir.resolve("client")); // the second attempt
    awaitAttemptEnded();

    Files.delete(state.resolve("client-mount-blocks")); // an OST is up: the MDS lets clients in
    run(filesystem, mds);
    awaitClientMountStatus("mounted: ");
  }

  private void awaitLogged(String command) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!(Files.exists(log) && Files.readAllLines(log).contains(command))) {
      assertThat(System.nanoTime()).as("%s run", command).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** Waits until no attempt holds the lock the fake systemctl takes for one. */
  private void awaitAttemptEnded() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (new ProcessBuilder("flock", "-n", state.resolve("client-mount.lock").toString(), "true").start().waitFor() != 0) {
      assertThat(System.nanoTime()).as("client mount attempt still running").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void theAgentIsNotOrderedAfterTheSetup() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    ServerStatus mds = filesystem.getStatus().servers().get(1);
    String userData = ServerSetup.userData(filesystem, mds, filesystem.getStatus().servers().getFirst(), 9443);
    String agentUnit = userData.substring(userData.indexOf("path: /etc/systemd/system/" + ServerSetup.AGENT_SERVICE));
    agentUnit = agentUnit.substring(0, agentUnit.indexOf("\n- ", 1));
    assertThat(agentUnit).contains("After=network-online.target", "Environment=LUSTRE_CSI_JAR=" + ServerSetup.JAR,
        "ExecStart=" + ServerSetup.LAUNCHER + " agent").doesNotContain(ServerSetup.SETUP_SERVICE, ServerSetup.CLIENT_MOUNT_SERVICE);
  }

  /** The MDS's agent quotes the client mount's status from the file the script writes it to: one path, in both. */
  @Test
  void theMdsAgentReadsTheClientMountStatusWhereTheScriptWritesIt() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    ServerStatus mds = filesystem.getStatus().servers().get(1);
    String userData = ServerSetup.userData(filesystem, mds, filesystem.getStatus().servers().getFirst(), 9443);
    assertThat(userData).contains(" --client-mount-status " + ServerSetup.CLIENT_MOUNT_STATUS);
    String status = ServerSetup.CLIENT_MOUNT_STATUS;
    assertThat(ServerSetup.script())
        .contains("${STATE_DIR:=" + status.substring(0, status.lastIndexOf('/')) + "}")
        .contains("${CLIENT_MOUNT_STATUS:=$STATE_DIR/" + status.substring(status.lastIndexOf('/') + 1) + "}");
  }

  /**
   * Every agent reports why the setup leaves targets down from the directory the script keeps them
   * in: one path, in both. The agent reads it by default (its --setup-problems defaults to
   * SETUP_PROBLEMS), and the user data does not name it, so that a server still on an older image
   * boots its agent with the rewritten user data.
   */
  @Test
  void theAgentReadsTheSetupProblemsWhereTheScriptWritesThem() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    for (ServerStatus server : filesystem.getStatus().servers()) {
      assertThat(ServerSetup.userData(filesystem, server, filesystem.getStatus().servers().getFirst(), 9443))
          .doesNotContain("--setup-problems");
    }
    String dir = ServerSetup.SETUP_PROBLEMS;
    assertThat(ServerSetup.script()).contains("${STATE_DIR:=" + dir.substring(0, dir.lastIndexOf('/')) + "}")
        .contains("${POOL_STATUS_DIR:=$STATE_DIR/" + dir.substring(dir.lastIndexOf('/') + 1) + "}");
  }

  @Test
  void everyUnitCloudInitEnablesItWritesOrTheImageCarries() {
    LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 1, 1, List.of("tcp")));
    for (ServerStatus server : filesystem.getStatus().servers()) {
      String userData = ServerSetup.userData(filesystem, server, filesystem.getStatus().servers().getFirst(), 9443);
      java.util.regex.Matcher enabled = java.util.regex.Pattern.compile("\\[systemctl, enable, --now, ([^\\]]+)]").matcher(userData);
      List<String> units = enabled.results().map(m -> m.group(1)).toList();
      assertThat(units).as(server.name()).containsExactlyInAnyOrderElementsOf(java.util.stream.Stream.concat(ServerSetup.IMAGE_UNITS.stream(),
          java.util.stream.Stream.of(ServerSetup.SETUP_TIMER, ServerSetup.AGENT_SERVICE)).toList());
      for (String unit : List.of(ServerSetup.SETUP_SERVICE, ServerSetup.SETUP_TIMER, ServerSetup.CLIENT_MOUNT_SERVICE, ServerSetup.AGENT_SERVICE)) {
        assertThat(userData).as("%s writes %s", server.name(), unit).contains("- path: /etc/systemd/system/" + unit + "\n");
      }
    }
  }

  @Test
  void theImageCheckNamesWhatAnImageLacks() throws Exception {
    Path script = Files.writeString(dir.resolve("lustre-csi-setup"), ServerSetup.script());
    fake("lfs", "exit 0");
    fake("mount.lustre", "exit 0");
    assertThat(bash(script, 0, "--check-image", "6.1.0-test")).contains("has every command and module the setup needs (kernel 6.1.0-test)");
    assertThat(Files.readAllLines(log)).contains("modprobe --dry-run --set-version 6.1.0-test osd_zfs");

    Files.delete(bin.resolve("zpool"));
    fake("modprobe", "[ \"$4\" != osd_zfs ]");
    assertThat(bash(script, 1, "--check-image", "6.1.0-test")).contains("this image lacks what the setup needs (kernel 6.1.0-test): command:zpool module:osd_zfs");
  }

  private void awaitClientMountStatus(String start) throws Exception {
    Path status = dir.resolve("lib/client-mount.status");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!(Files.exists(status) && Files.readString(status).startsWith(start))) {
      assertThat(System.nanoTime()).as("client mount status starting %s; now %s", start,
          Files.exists(status) ? Files.readString(status) : "none").isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
