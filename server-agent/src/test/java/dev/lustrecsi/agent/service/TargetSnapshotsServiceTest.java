package dev.lustrecsi.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.v1.CreateTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.DestroyTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.LustreAgentGrpc;
import dev.lustrecsi.agent.v1.LustreAgentGrpc.LustreAgentBlockingStub;
import dev.lustrecsi.agent.v1.MountTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.TargetSnapshot;
import dev.lustrecsi.agent.v1.UnmountTargetSnapshotsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restorable snapshots on one server, the agent's commands checked against a scripted runner. */
class TargetSnapshotsServiceTest {
  static final List<String> DATASETS = List.of("zfs", "list", "-H", "-p", "-o", "name,lustre:svname", "-t", "filesystem");
  static final List<String> SNAPSHOTS = List.of("zfs", "list", "-H", "-p", "-o", "name,creation", "-t", "snapshot");
  static final List<String> MOUNTS = List.of("mount", "-t", "lustre,lustre_tgt");
  static final String MAGIC_AND_FSNAME = "lustre:magic,lustre:fsname";

  @TempDir Path mounts;
  final ScriptedRunner runner = new ScriptedRunner();
  Server server;
  ManagedChannel channel;
  LustreAgentBlockingStub agent;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AgentService(runner, Optional.empty(), Optional.empty(), mounts)).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    agent = LustreAgentGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  CreateTargetSnapshotsRequest create(String snapshotFsName) {
    return CreateTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName("s1").setSnapshotFsName(snapshotFsName).build();
  }

  DestroyTargetSnapshotsRequest destroy() {
    return DestroyTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName("s1").build();
  }

  List<List<String>> ran(String program) {
    return runner.commands.stream().filter(c -> c.getFirst().equals(program) && !c.equals(MOUNTS) && !c.get(1).equals("list")).toList();
  }

  @Test
  void onTheMgsTheMgtPieceIsTaggedWithoutANameThenTheConfigurationIsForked() {
    runner.answer(DATASETS, "lcsi-fs1-mgt\t-\nlcsi-fs1-mgt/mgt\tMGS\n");
    agent.createTargetSnapshots(create("ab12cd34"));
    List<String> snapshot = ran("zfs").getFirst();
    assertThat(snapshot).startsWith("zfs", "snapshot", "-o", "lustre:fsname=ab12cd34", "-o", "lustre:magic=0x14F711B9", "-o")
        .endsWith("lcsi-fs1-mgt/mgt@s1").noneMatch(a -> a.startsWith("lustre:svname") || a.startsWith("lustre:mgsnode"));
    assertThat(snapshot).anyMatch(a -> a.startsWith("lustre:ctime=")).anyMatch(a -> a.startsWith("lustre:mtime="));
    assertThat(ran("lctl")).containsExactly(List.of("lctl", "fork_lcfg", "fs1", "ab12cd34"));
    assertThat(runner.commands.indexOf(snapshot)).as("the piece that names the fork before the fork").isLessThan(
        runner.commands.indexOf(List.of("lctl", "fork_lcfg", "fs1", "ab12cd34")));
  }

  @Test
  void aForkThatExistsIsARetryButAnyOtherFailureFails() {
    runner.answer(DATASETS, "lcsi-fs1-mgt/mgt\tMGS\n")
        .answer(List.of("lctl", "fork_lcfg", "fs1", "ab12cd34"), 17, "", "error: fork_lcfg: OBD_IOC_LCFG_FORK failed: File exists\n");
    agent.createTargetSnapshots(create("ab12cd34"));
    runner.answer(List.of("lctl", "fork_lcfg", "fs1", "ab12cd34"), 19, "", "error: fork_lcfg: OBD_IOC_LCFG_FORK failed: No such device\n");
    assertThatThrownBy(() -> agent.createTargetSnapshots(create("ab12cd34")))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INTERNAL))
        .hasMessageContaining("No such device");
  }

  @Test
  void anOstPieceIsNamedUnderTheSnapshotAndRegistersWithTheLiveMgs() {
    runner.answer(DATASETS, "lcsi-fs1-ost0002/ost0002\tfs1-OST0002\n")
        .answer(List.of("zfs", "get", "-H", "-o", "property,value", "lustre:mgsnode", "lcsi-fs1-ost0002/ost0002"), "lustre:mgsnode\t10.1.0.10@tcp\n");
    agent.createTargetSnapshots(create("ab12cd34"));
    List<String> snapshot = ran("zfs").stream().filter(c -> c.get(1).equals("snapshot")).findFirst().orElseThrow();
    assertThat(snapshot).contains("lustre:svname=ab12cd34-OST0002", "lustre:mgsnode=10.1.0.10@tcp").endsWith("lcsi-fs1-ost0002/ost0002@s1");
    assertThat(ran("lctl")).as("only the MGS forks").isEmpty();
  }

  @Test
  void onlyTheNamedTargetsAreTakenAndOneNamedButNotHereIsUnavailable() {
    // OST0001's pool is still imported: a drain deleted it from the configuration but has not exported it yet.
    runner.answer(DATASETS, "lcsi-fs1-ost0000/ost0000\tfs1-OST0000\nlcsi-fs1-ost0001/ost0001\tfs1-OST0001\n");
    agent.createTargetSnapshots(create("ab12cd34").toBuilder().addTargets("fs1-OST0000").build());
    assertThat(ran("zfs").stream().filter(c -> c.get(1).equals("snapshot")).map(List::getLast))
        .as("the OST being released is left out").containsExactly("lcsi-fs1-ost0000/ost0000@s1");

    // The caller saw OST0002 in service here, but it is gone (exported by a drain since): a retry reads the status again.
    runner.commands.clear();
    assertThatThrownBy(() -> agent.createTargetSnapshots(create("ab12cd34").toBuilder().addTargets("fs1-OST0000").addTargets("fs1-OST0002")
        .build()))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasMessageContaining("fs1-OST0002");
    assertThat(ran("zfs")).as("nothing taken").isEmpty();

    assertThatThrownBy(() -> agent.createTargetSnapshots(create("ab12cd34").toBuilder().addTargets("OST0000").build()))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("targets");
  }

  @Test
  void theSnapshotFsNameIsRequiredAndMayNotBeTheLiveName() {
    for (String bad : List.of("", "fs1", "Ab12cd34", "ab12cd3", "ab12cd345", "ab_2cd34")) {
      assertThatThrownBy(() -> agent.createTargetSnapshots(create(bad)))
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining("snapshot_fs_name");
    }
    assertThat(runner.commands).isEmpty();
  }

  @Test
  void destroyOnTheMgsErasesTheForkItsPieceNamesBeforeDestroyingIt() {
    runner.answer(DATASETS, "lcsi-fs1-mgt/mgt\tMGS\n").answer(SNAPSHOTS, "lcsi-fs1-mgt/mgt@s1\t1765058220\n")
        .answer(List.of("zfs", "get", "-H", "-o", "property,value", MAGIC_AND_FSNAME, "lcsi-fs1-mgt/mgt@s1"),
            "lustre:magic\t0x14F711B9\nlustre:fsname\tab12cd34\n")
        .answer(List.of("lctl", "erase_lcfg", "ab12cd34", "-q"), 2, "", "error: erase_lcfg: OBD_IOC_LCFG_ERASE failed: No such file or directory\n");
    assertThat(agent.destroyTargetSnapshots(destroy()).getDestroyedList()).extracting(TargetSnapshot::getTarget).containsExactly("MGS");
    assertThat(runner.commands.indexOf(List.of("lctl", "erase_lcfg", "ab12cd34", "-q")))
        .as("erased (already erased is fine) before the piece that names it goes")
        .isLessThan(runner.commands.indexOf(List.of("zfs", "destroy", "lcsi-fs1-mgt/mgt@s1")));
  }

  @Test
  void destroyingAnUntaggedSnapshotErasesNothing() {
    runner.answer(DATASETS, "lcsi-fs1-mgt/mgt\tMGS\n").answer(SNAPSHOTS, "lcsi-fs1-mgt/mgt@s1\t1765058220\n")
        .answer(List.of("zfs", "get", "-H", "-o", "property,value", MAGIC_AND_FSNAME, "lcsi-fs1-mgt/mgt@s1"), "lustre:magic\t-\nlustre:fsname\t-\n");
    agent.destroyTargetSnapshots(destroy());
    assertThat(ran("lctl")).isEmpty();
    assertThat(runner.commands).contains(List.of("zfs", "destroy", "lcsi-fs1-mgt/mgt@s1"));
  }

  @Test
  void mountingOnTheMdsMountsMdt0WithNomgsAndSkipsWhatIsMounted() {
    runner.answer(DATASETS, "lcsi-fs1-mdt0000/mdt0000\tfs1-MDT0000\nlcsi-fs1-mdt0001/mdt0001\tfs1-MDT0001\n")
        .answer(SNAPSHOTS, "lcsi-fs1-mdt0000/mdt0000@s1\t1765058220\nlcsi-fs1-mdt0001/mdt0001@s1\t1765058220\n")
        .answer(List.of("zfs", "get", "-H", "-o", "property,value", MAGIC_AND_FSNAME, "lcsi-fs1-mdt0000/mdt0000@s1"),
            "lustre:magic\t0x14F711B9\nlustre:fsname\tab12cd34\n")
        .answer(MOUNTS, "lcsi-fs1-mdt0001/mdt0001@s1 on /elsewhere type lustre (ro,svname=ab12cd34-MDT0001,rdonly_dev,osd=osd-zfs)\n");
    MountTargetSnapshotsRequest request = MountTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName("s1").build();
    assertThat(agent.mountTargetSnapshots(request).getMountedList()).hasSize(2);
    assertThat(runner.commands.stream().filter(c -> c.size() > 3 && c.getFirst().equals("mount"))).containsExactly(
        List.of("mount", "-t", "lustre", "-o", "rdonly_dev,nomgs", "lcsi-fs1-mdt0000/mdt0000@s1", mounts.resolve("fs1/s1/mdt0000").toString()));
    assertThat(mounts.resolve("fs1/s1/mdt0000")).isDirectory();
  }

  @Test
  void mountingASnapshotThatPredatesRestorableSnapshotsIsAFailedPrecondition() {
    runner.answer(DATASETS, "lcsi-fs1-ost0000/ost0000\tfs1-OST0000\n").answer(SNAPSHOTS, "lcsi-fs1-ost0000/ost0000@s1\t1765058220\n")
        .answer(List.of("zfs", "get", "-H", "-o", "property,value", MAGIC_AND_FSNAME, "lcsi-fs1-ost0000/ost0000@s1"),
            "lustre:magic\t-\nlustre:fsname\tfs1\n");
    MountTargetSnapshotsRequest request = MountTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName("s1").build();
    assertThatThrownBy(() -> agent.mountTargetSnapshots(request))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining("predates restorable snapshots");
    MountTargetSnapshotsRequest none = MountTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName("s2").build();
    assertThatThrownBy(() -> agent.mountTargetSnapshots(none))
        .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void unmountTakesTheClientFirstThenThePiecesAndDestroyUnmountsBeforeDestroying() {
    Path client = mounts.resolve("fs1/s1/client");
    runner.answer(DATASETS, "lcsi-fs1-mdt0000/mdt0000\tfs1-MDT0000\n").answer(SNAPSHOTS, "lcsi-fs1-mdt0000/mdt0000@s1\t1765058220\n")
        .answer(MOUNTS, "lcsi-fs1-mdt0000/mdt0000@s1 on " + mounts.resolve("fs1/s1/mdt0000") + " type lustre (ro,svname=ab12cd34-MDT0000)\n"
            + "10.1.0.10@tcp:/fs1 on /lustre/fs1 type lustre (rw,flock)\n"
            + "10.1.0.10@tcp:/ab12cd34 on " + client + " type lustre (ro,flock)\n");
    agent.destroyTargetSnapshots(destroy());
    List<List<String>> changes = runner.commands.stream().filter(c -> c.getFirst().equals("umount") || c.get(1).equals("destroy")).toList();
    assertThat(changes).containsExactly(List.of("umount", client.toString()), List.of("umount", mounts.resolve("fs1/s1/mdt0000").toString()),
        List.of("zfs", "destroy", "lcsi-fs1-mdt0000/mdt0000@s1"));
    runner.commands.clear();
    runner.answer(MOUNTS, "10.1.0.10@tcp:/fs1 on /lustre/fs1 type lustre (rw,flock)\n");
    agent.unmountTargetSnapshots(UnmountTargetSnapshotsRequest.newBuilder().setFsName("fs1").setSnapshotName("s1").build());
    assertThat(runner.commands).noneMatch(c -> c.getFirst().equals("umount"));
  }

  @Test
  void copyingOutOfASnapshotThatPredatesRestorableSnapshotsIsAFailedPreconditionAndMountsNothing() throws Exception {
    Path live = java.nio.file.Files.createDirectories(mounts.resolve("live"));
    java.nio.file.Files.createDirectories(live.resolve("volumes/pvc-2"));
    String name = InProcessServerBuilder.generateName();
    Server mds = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AgentService(runner, Optional.of(live), Optional.empty(), mounts.resolve("snapshots"))).build().start();
    ManagedChannel mdsChannel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      runner.answer(List.of("lfs", "getname", live.toString()), "fs1-ff1c9f74671fe800 " + live + "\n")
          .answer(DATASETS, "lcsi-fs1-mdt0000/mdt0000\tfs1-MDT0000\n").answer(SNAPSHOTS, "lcsi-fs1-mdt0000/mdt0000@s1\t1765058220\n")
          .answer(List.of("zfs", "get", "-H", "-o", "property,value", MAGIC_AND_FSNAME, "lcsi-fs1-mdt0000/mdt0000@s1"),
              "lustre:magic\t-\nlustre:fsname\tfs1\n");
      var request = dev.lustrecsi.agent.v1.CopySnapshotDirectoryRequest.newBuilder().setFsName("fs1").setSnapshotName("s1")
          .setSourceDirectory("volumes/pvc-1").setTargetDirectory("volumes/pvc-2").build();
      assertThatThrownBy(() -> LustreAgentGrpc.newBlockingStub(mdsChannel).copySnapshotDirectory(request))
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
          .hasMessageContaining("predates restorable snapshots");
      assertThat(runner.commands).noneMatch(c -> c.getFirst().equals("mount") && c.size() > 3);
    } finally {
      mdsChannel.shutdownNow();
      mds.shutdownNow();
    }
  }
}
