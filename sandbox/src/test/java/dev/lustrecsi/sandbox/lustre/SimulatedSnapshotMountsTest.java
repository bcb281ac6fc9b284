package dev.lustrecsi.sandbox.lustre;

import static dev.lustrecsi.sandbox.lustre.SimulatedSnapshotsTest.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.lustre.LustreCommands;
import dev.lustrecsi.agent.lustre.ZfsCommands;
import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.agent.v1.CopySnapshotDirectoryRequest;
import dev.lustrecsi.agent.v1.CopySnapshotDirectoryResponse;
import dev.lustrecsi.agent.v1.CreateTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.DestroyTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.MountTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.MountTargetSnapshotsResponse;
import dev.lustrecsi.agent.v1.TargetSnapshot;
import dev.lustrecsi.agent.v1.UnmountTargetSnapshotsRequest;
import dev.lustrecsi.common.exec.CommandResult;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots made to be mounted beside the live filesystem, on the simulated servers through the
 * agent's own calls: tagged pieces, the MGS's forked configuration, pieces mounted read-only on
 * each server, and a snapshot client that shows the namespace as it was when the snapshot was
 * taken (a real read-only bind mount).
 */
class SimulatedSnapshotMountsTest {
  @TempDir Path dir;
  final TestClock clock = new TestClock();
  SimulatedServers servers;
  AgentService mgs;
  AgentService mds;
  AgentService oss;
  SimulatedLustreCommands mdsCommands;

  /** What the controller sends: 8 characters of [a-z0-9] derived from the snapshot's name. */
  static String snapshotFsName(String name) {
    return String.format("%08x", name.hashCode());
  }

  @BeforeEach
  void start() {
    servers = SimulatedLustreCommandsTest.threeOsts(dir.resolve("lustre"), clock);
    mgs = agent("fs1-mgs", Optional.empty());
    mds = agent("fs1-mds0", Optional.of(servers.namespace("fs1")));
    oss = agent("fs1-oss0", Optional.empty());
    mdsCommands = new SimulatedLustreCommands(servers, "fs1-mds0");
  }

  AgentService agent(String server, Optional<Path> clientMount) {
    return new AgentService(new SimulatedLustreCommands(servers, server), clientMount, Optional.empty(), dir.resolve("snapshot-mounts").resolve(server));
  }

  @AfterEach
  void stop() {
    servers.close();
  }

  void take(String name) {
    CreateTargetSnapshotsRequest request = CreateTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName(name)
        .setSnapshotFsName(snapshotFsName(name)).build();
    for (AgentService agent : List.of(mgs, mds, oss)) {
      call(agent::createTargetSnapshots, request);
    }
  }

  MountTargetSnapshotsResponse mount(AgentService agent, String name) {
    return call(agent::mountTargetSnapshots, MountTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName(name).build());
  }

  void unmount(AgentService agent, String name) {
    call(agent::unmountTargetSnapshots, UnmountTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName(name).build());
  }

  String get(SimulatedLustreCommands commands, String snapshot, String property) throws Exception {
    return commands.runChecked(ZfsCommands.get(snapshot, List.of(property))).stdout();
  }

  Path clientMountPoint(String name) {
    return dir.resolve("snapshot-mounts").resolve("fs1-mds0").resolve("fs1").resolve(name).resolve("client");
  }

  CommandResult mountClient(String name, Path at) throws Exception {
    Files.createDirectories(at);
    return mdsCommands.run(LustreCommands.mountSnapshotClient("10.1.0.10@tcp", snapshotFsName(name), at));
  }

  @Test
  void eachPieceIsTaggedAsLsnapshotTagsItAndTheMgsForksTheConfiguration() throws Exception {
    take("s1");
    String fork = snapshotFsName("s1");
    SimulatedLustreCommands ossCommands = new SimulatedLustreCommands(servers, "fs1-oss0");
    assertThat(get(ossCommands, "lcsi-fs1-ost0002/ost0002@s1", "lustre:svname")).isEqualTo("lustre:svname\t" + fork + "-OST0002\n");
    assertThat(get(ossCommands, "lcsi-fs1-ost0002/ost0002@s1", "lustre:fsname")).isEqualTo("lustre:fsname\t" + fork + "\n");
    assertThat(get(ossCommands, "lcsi-fs1-ost0002/ost0002@s1", "lustre:mgsnode")).isEqualTo("lustre:mgsnode\t10.1.0.10@tcp\n");
    assertThat(get(mdsCommands, "lcsi-fs1-mdt0000/mdt0000@s1", "lustre:magic")).isEqualTo("lustre:magic\t0x14F711B9\n");
    assertThat(get(mdsCommands, "lcsi-fs1-mdt0000/mdt0000", "lustre:svname")).as("the live dataset keeps its own name")
        .isEqualTo("lustre:svname\tfs1-MDT0000\n");
    SimulatedLustreCommands mgsCommands = new SimulatedLustreCommands(servers, "fs1-mgs");
    assertThat(get(mgsCommands, "lcsi-fs1-mgt/mgt@s1", "lustre:svname")).as("the MGT's piece is never mounted: no name of its own")
        .isEqualTo("lustre:svname\tMGS\n");
    assertThat(servers.zfs().forkedFrom(fork)).hasValue("fs1");
    take("s1");
    assertThat(servers.zfs().forkedFrom(fork)).as("a retried create finds the fork and goes on").hasValue("fs1");
    assertThat(mgsCommands.run(LustreCommands.forkConfig("fs1", fork)).stderr()).contains("OBD_IOC_LCFG_FORK failed: File exists");
  }

  @Test
  void aSnapshotFsNameIsRequiredAndChecked() {
    for (String bad : List.of("", "ABCDEFGH", "abc", "abcdefghi", "abcd-fgh")) {
      assertThatThrownBy(() -> call(oss::createTargetSnapshots, CreateTargetSnapshotsRequest.newBuilder().setFsName("fs1")
          .setSnapshotName("s1").setSnapshotFsName(bad).build()))
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining("snapshot_fs_name");
    }
    assertThat(servers.allSnapshots()).isEmpty();
  }

  @Test
  void theSnapshotClientShowsTheNamespaceAsItWasReadOnly() throws Exception {
    Path live = servers.namespace("fs1");
    Path file = Files.createDirectories(live.resolve("volumes/pvc-1")).resolve("data");
    Files.writeString(file, "before");
    take("s1");
    Files.writeString(file, "after");
    Files.writeString(live.resolve("volumes/pvc-1/new"), "made after the snapshot");

    assertThat(mount(mds, "s1").getMountedList()).extracting(TargetSnapshot::getTarget).containsExactly("fs1-MDT0000");
    assertThat(mount(mgs, "s1").getMountedList()).as("the MGT's piece is never mounted").isEmpty();
    Path client = clientMountPoint("s1");
    assertThat(mountClient("s1", client).stderr()).as("an OST's piece is not mounted yet").contains("Input/output error");
    assertThat(mount(oss, "s1").getMountedList()).hasSize(3);
    assertThat(mount(oss, "s1").getMountedList()).as("mounting again is fine").hasSize(3);
    assertThat(mountClient("s1", client).exitCode()).isZero();

    assertThat(Files.readString(client.resolve("volumes/pvc-1/data"))).isEqualTo("before");
    assertThat(client.resolve("volumes/pvc-1/new")).doesNotExist();
    assertThatThrownBy(() -> Files.writeString(client.resolve("volumes/pvc-1/data"), "x")).isInstanceOf(FileSystemException.class);
    String listed = mdsCommands.runChecked(LustreCommands.lustreMounts()).stdout();
    assertThat(listed).contains("lcsi-fs1-mdt0000/mdt0000@s1 on ").contains("10.1.0.10@tcp:/" + snapshotFsName("s1") + " on " + client);

    unmount(mds, "s1");
    assertThat(mdsCommands.runChecked(LustreCommands.lustreMounts()).stdout()).as("the client first, then the piece").isEmpty();
    assertThat(client).doesNotExist();
    unmount(mds, "s1");
  }

  @Test
  void aPieceIsNotUnmountedUnderItsClientAndDestroyUnmountsErasesAndFreesTheCopy() throws Exception {
    Files.writeString(servers.namespace("fs1").resolve("f"), "x");
    take("s1");
    mount(mds, "s1");
    mount(oss, "s1");
    mountClient("s1", clientMountPoint("s1"));
    SimulatedLustreCommands ossCommands = new SimulatedLustreCommands(servers, "fs1-oss0");
    String ostMount = ossCommands.runChecked(LustreCommands.lustreMounts()).stdout().lines().findFirst().orElseThrow().split(" ")[2];
    assertThat(ossCommands.run(LustreCommands.unmount(Path.of(ostMount))).stderr()).contains("target is busy");
    assertThat(ossCommands.run(ZfsCommands.destroy("lcsi-fs1-ost0000/ost0000", "s1")).stderr()).contains("dataset is busy");
    assertThat(servers.capturedCopy("lcsi-fs1-mdt0000/mdt0000@s1")).isPresent();
    Path copy = servers.capturedCopy("lcsi-fs1-mdt0000/mdt0000@s1").orElseThrow();

    DestroyTargetSnapshotsRequest destroy = DestroyTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName("s1").build();
    call(mds::destroyTargetSnapshots, destroy);
    call(oss::destroyTargetSnapshots, destroy);
    call(mgs::destroyTargetSnapshots, destroy);
    assertThat(servers.allSnapshots()).isEmpty();
    assertThat(copy).doesNotExist();
    assertThat(servers.zfs().forkedFrom(snapshotFsName("s1"))).as("the fork is erased with the MGT's piece").isEmpty();
    assertThat(servers.zfs().pieceMounts()).isEmpty();
    assertThat(servers.zfs().clientMounts()).isEmpty();
    call(mgs::destroyTargetSnapshots, destroy);
  }

  @Test
  void aSnapshotTakenBeforeRestorableSnapshotsIsRefusedForMountingAndStillDestroyed() throws Exception {
    mdsCommands.runChecked(ZfsCommands.snapshot("lcsi-fs1-mdt0000/mdt0000", "old"));
    assertThatThrownBy(() -> mount(mds, "old"))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining("predates restorable snapshots");
    assertThat(mdsCommands.run(LustreCommands.mountTargetSnapshot("lcsi-fs1-mdt0000/mdt0000", "old", List.of("rdonly_dev"),
        Files.createDirectories(dir.resolve("m")))).stderr()).as("real Lustre refuses it too: it claims the live MDT's name")
        .contains("Operation already in progress");
    call(mds::destroyTargetSnapshots, DestroyTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName("old").build());
    assertThat(servers.allSnapshots()).isEmpty();
  }

  @Test
  void mountingWhatDoesNotExistFails() throws Exception {
    assertThatThrownBy(() -> mount(mds, "nothing"))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    Path at = Files.createDirectories(dir.resolve("m"));
    assertThat(mdsCommands.run(LustreCommands.mountTargetSnapshot("lcsi-fs1-mdt0000/mdt0000", "nothing", List.of("rdonly_dev"), at))
        .stderr()).contains("No such file or directory");
    assertThat(mountClient("nothing", at).stderr()).contains("Is the filesystem name correct?");
  }


  CopySnapshotDirectoryResponse copy(String name, String from, String into) {
    return call(mds::copySnapshotDirectory, CopySnapshotDirectoryRequest.newBuilder().setFsName("fs1").setSnapshotName(name)
        .setSourceDirectory(from).setTargetDirectory(into).build());
  }

  CopySnapshotDirectoryResponse copyUntilFinished(String name, String from, String into) throws InterruptedException {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
    CopySnapshotDirectoryResponse response = copy(name, from, into);
    while (response.getState() == CopySnapshotDirectoryResponse.State.RUNNING && System.nanoTime() < deadline) {
      Thread.sleep(20);
      response = copy(name, from, into);
    }
    return response;
  }

  @Test
  void aVolumeIsRestoredFromTheSnapshotWithItsLayoutsIntoTheNewVolumesProject() throws Exception {
    Path live = servers.namespace("fs1");
    Path sub = Files.createDirectories(live.resolve("volumes/pvc-1/sub"));
    mdsCommands.runChecked(LustreCommands.setStripe(sub, new dev.lustrecsi.agent.lustre.Striping(2, 4 << 20, "")));
    Files.writeString(sub.resolve("data"), "before");
    Files.createDirectories(live.resolve("volumes/pvc-1/plain"));
    Files.setAttribute(sub.resolve("data"), "unix:uid", 1000);
    Files.getFileAttributeView(sub.resolve("data"), java.nio.file.attribute.UserDefinedFileAttributeView.class)
        .write("origin", java.nio.charset.StandardCharsets.UTF_8.encode("lab-7"));
    take("s1");
    Files.writeString(sub.resolve("data"), "after");
    call(mds::ensureVolumeDirectory, EnsureVolumeDirectoryRequest.newBuilder().setFsName("fs1").setDirectory("volumes/pvc-2")
        .setProjectId(1002).setQuotaBytes(1L << 30).build());

    assertThatThrownBy(() -> copy("s1", "volumes/pvc-1", "volumes/pvc-2")).as("the snapshot's pieces are not mounted yet")
        .hasMessageContaining("Input/output error");
    mount(mds, "s1");
    mount(oss, "s1");
    CopySnapshotDirectoryResponse done = copyUntilFinished("s1", "volumes/pvc-1", "volumes/pvc-2");
    assertThat(done.getState()).as(done.getMessage()).isEqualTo(CopySnapshotDirectoryResponse.State.DONE);
    assertThat(done.getFilesCopied()).isEqualTo(3);
    assertThat(done.getBytesCopied()).isEqualTo(6);
    Path copied = live.resolve("volumes/pvc-2/sub/data");
    assertThat(Files.readString(copied)).isEqualTo("before");
    assertThat(Files.getAttribute(copied, "unix:uid")).isEqualTo(1000);
    var xattrs = Files.getFileAttributeView(copied, java.nio.file.attribute.UserDefinedFileAttributeView.class);
    java.nio.ByteBuffer origin = java.nio.ByteBuffer.allocate(xattrs.size("origin"));
    xattrs.read("origin", origin);
    assertThat(new String(origin.array(), java.nio.charset.StandardCharsets.UTF_8)).as("captured by the snapshot, then copied").isEqualTo("lab-7");
    assertThat(servers.layoutOf("fs1", "volumes/pvc-2/sub")).hasValue(new SimulatedServers.Layout(2, 4 << 20, ""));
    assertThat(servers.layoutOf("fs1", "volumes/pvc-2/plain")).as("a directory without a layout of its own inherits the new volume's").isEmpty();
    assertThat(servers.projectOf("fs1", "volumes/pvc-2/sub")).as("inherited from the new volume's directory")
        .isEqualTo(new SimulatedServers.Project(1002, true));
    assertThat(copy("s1", "volumes/pvc-1", "volumes/pvc-2").getState()).as("a finished copy is reported again")
        .isEqualTo(CopySnapshotDirectoryResponse.State.DONE);
    unmount(mds, "s1");
    unmount(oss, "s1");
    assertThat(servers.zfs().clientMounts()).isEmpty();
    assertThat(servers.zfs().pieceMounts()).isEmpty();
  }

  @Test
  void aVolumeMadeAgainUnderTheSameNameAfterItsRestoreWasDeletedIsCopiedAgain() throws Exception {
    Path live = servers.namespace("fs1");
    Files.writeString(Files.createDirectories(live.resolve("volumes/pvc-1")).resolve("data"), "before");
    take("s1");
    var ensure = EnsureVolumeDirectoryRequest.newBuilder().setFsName("fs1").setDirectory("volumes/pvc-2").setProjectId(1002)
        .setQuotaBytes(1L << 30).build();
    call(mds::ensureVolumeDirectory, ensure);
    mount(mds, "s1");
    mount(oss, "s1");
    assertThat(copyUntilFinished("s1", "volumes/pvc-1", "volumes/pvc-2").getState()).isEqualTo(CopySnapshotDirectoryResponse.State.DONE);
    // Withdrawn (abandoned, say) before the controller saw the copy done, then asked for again by the same name.
    unmount(mds, "s1");
    unmount(oss, "s1");
    call(mds::deleteVolumeDirectory, DeleteVolumeDirectoryRequest.newBuilder().setFsName("fs1").setDirectory("volumes/pvc-2")
        .setProjectId(1002).build());
    assertThat(live.resolve("volumes/pvc-2")).doesNotExist();
    call(mds::ensureVolumeDirectory, ensure);
    mount(mds, "s1");
    mount(oss, "s1");

    CopySnapshotDirectoryResponse again = copyUntilFinished("s1", "volumes/pvc-1", "volumes/pvc-2");
    assertThat(again.getState()).as(again.getMessage()).isEqualTo(CopySnapshotDirectoryResponse.State.DONE);
    assertThat(live.resolve("volumes/pvc-2/data")).as("the new directory holds the snapshot's content, not nothing").hasContent("before");
    unmount(mds, "s1");
    unmount(oss, "s1");
  }

  @Test
  void copyDirectoriesAreCheckedLikeVolumeDirectories() {
    for (String[] bad : List.of(new String[] {"../x", "volumes/pvc-2", "source_directory"}, new String[] {"", "volumes/pvc-2", "source_directory"},
        new String[] {"volumes/pvc-1", "/abs", "target_directory"}, new String[] {"volumes/pvc-1", "a/../b", "target_directory"})) {
      assertThatThrownBy(() -> copy("s1", bad[0], bad[1]))
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining(bad[2]);
    }
    assertThatThrownBy(() -> copy("s1", "volumes/pvc-1", "volumes/none"))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining("target_directory");
  }

  @Test
  void zfsGetAnswersInItsScriptedFormsAndTheMgsCommandsFailAsLctlDoes() throws Exception {
    take("s1");
    SimulatedLustreCommands ossCommands = new SimulatedLustreCommands(servers, "fs1-oss0");
    var valueOnly = new dev.lustrecsi.common.exec.Command(List.of("zfs", "get", "-H", "-o", "value", "lustre:mgsnode", "lcsi-fs1-ost0001/ost0001"),
        java.time.Duration.ofSeconds(5));
    assertThat(ossCommands.runChecked(valueOnly).stdout()).as("what lsnapshot reads").isEqualTo("10.1.0.10@tcp\n");
    var withSource = new dev.lustrecsi.common.exec.Command(List.of("zfs", "get", "-H", "-o", "name,property,value,source",
        "lustre:fsname,lustre:comment", "lcsi-fs1-ost0001/ost0001@s1"), java.time.Duration.ofSeconds(5));
    assertThat(ossCommands.runChecked(withSource).stdout()).isEqualTo("lcsi-fs1-ost0001/ost0001@s1\tlustre:fsname\t" + snapshotFsName("s1")
        + "\tlocal\nlcsi-fs1-ost0001/ost0001@s1\tlustre:comment\t-\t-\n");
    assertThat(ossCommands.run(ZfsCommands.get("lcsi-fs1-ost0001/ost0001@nope", List.of("lustre:fsname"))).stderr()).contains("dataset does not exist");
    assertThat(ossCommands.run(LustreCommands.forkConfig("fs1", "zz99zz99")).stderr()).as("not the MGS").contains("No such device");
    SimulatedLustreCommands mgsCommands = new SimulatedLustreCommands(servers, "fs1-mgs");
    CommandResult erased = mgsCommands.run(LustreCommands.eraseConfig("zz99zz99"));
    assertThat(erased.exitCode()).isEqualTo(2);
    assertThat(erased.stderr()).contains("OBD_IOC_LCFG_ERASE failed: No such file or directory");
    assertThat(mgsCommands.run(LustreCommands.forkConfig("fs1", "fs1")).stderr()).as("a live name").contains("File exists");
  }

  @Test
  void closingTheServersUnmountsTheSnapshotClients() throws Exception {
    take("s1");
    mount(mds, "s1");
    mount(oss, "s1");
    Path client = clientMountPoint("s1");
    assertThat(mountClient("s1", client).exitCode()).isZero();
    assertThat(dev.lustrecsi.node.mount.MountTable.ofThisProcess().entries()).anyMatch(m -> m.mountPoint().equals(client));
    servers.close();
    assertThat(dev.lustrecsi.node.mount.MountTable.ofThisProcess().entries()).noneMatch(m -> m.mountPoint().equals(client));
    assertThat(servers.zfs().clientMounts()).isEmpty();
  }
}
