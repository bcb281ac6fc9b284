package dev.lustrecsi.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.v1.LustreAgentGrpc;
import dev.lustrecsi.agent.v1.LustreAgentGrpc.LustreAgentBlockingStub;
import dev.lustrecsi.agent.v1.MigrateOstFilesRequest;
import dev.lustrecsi.agent.v1.MigrateOstFilesResponse;
import dev.lustrecsi.agent.v1.ReleaseOstRequest;
import dev.lustrecsi.agent.v1.RemoveOstRequest;
import dev.lustrecsi.agent.v1.StopOstCreationRequest;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OST removal calls run the manual's commands, in its order, and each may be repeated. */
class OstRemovalServiceTest {
  @TempDir Path mount;
  private final ScriptedRunner runner = new ScriptedRunner();
  private Server server;
  private ManagedChannel channel;

  private LustreAgentBlockingStub agent(Optional<Path> clientMount) throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(new AgentService(runner, clientMount)).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return LustreAgentGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  private static final List<String> CREATION_LIMITS = List.of("lctl", "get_param", "-n", "osp.fs1-OST0001-osc-MDT*.max_create_count");
  private static final List<String> STOP_CREATION = List.of("lctl", "set_param", "osp.fs1-OST0001-osc-MDT*.max_create_count=0");

  @Test
  void stopCreationSetsMaxCreateCountOnTheMdsOsp() throws Exception {
    List<String> limits = List.of("lctl", "get_param", "-n", "osp.fs1-OST000a-osc-MDT*.max_create_count");
    runner.answer(limits, "20000\n");
    agent(Optional.empty()).stopOstCreation(StopOstCreationRequest.newBuilder().setFsName("fs1").setOstIndex(10).build());
    assertThat(runner.commands).containsExactly(limits, List.of("lctl", "set_param", "osp.fs1-OST000a-osc-MDT*.max_create_count=0"));
  }

  private static final String NO_OSP = "error: get_param: param_path 'osp/fs1-OST0001-osc-MDT*/max_create_count': No such file or directory";
  private static final List<String> DEVICES = List.of("lctl", "dl");

  /**
   * A del_ost cut short after the MDT's log and before the clients': the MDT mounted since from
   * its cleaned log has no osp device for the OST, so it cannot make objects there and there is
   * nothing to stop. Failing here would stop the drain's re-look before every del_ost rerun.
   */
  @Test
  void anMdtWithNoOspDeviceForTheOstHasNothingToStop() throws Exception {
    runner.answer(CREATION_LIMITS, 2, "", NO_OSP)
        .answer(DEVICES, "  3 UP osd-zfs fs1-MDT0000-osd fs1-MDT0000-osd_UUID 9\n  6 UP mdt fs1-MDT0000 fs1-MDT0000_UUID 11\n");
    agent(Optional.empty()).stopOstCreation(StopOstCreationRequest.newBuilder().setFsName("fs1").setOstIndex(1).build());
    assertThat(runner.commands).containsExactly(CREATION_LIMITS, DEVICES);
  }

  @Test
  void noOspDeviceWhereNoMdtOfTheFilesystemIsServedIsAFailure() throws Exception {
    runner.answer(CREATION_LIMITS, 2, "", NO_OSP).answer(DEVICES, "  6 UP mdt fs2-MDT0000 fs2-MDT0000_UUID 11\n");
    LustreAgentBlockingStub agent = agent(Optional.empty());
    assertThatThrownBy(() -> agent.stopOstCreation(StopOstCreationRequest.newBuilder().setFsName("fs1").setOstIndex(1).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription()).contains("No such file"));
  }

  @Test
  void aFindThatFoundNothingWhileAnMdtMountedAgainIsNoAnswerAndCreationIsStoppedAgain() throws Exception {
    runner.answer(List.of("lfs", "getname", mount.toString()), "fs1-ff1c9f74671fe800 " + mount + "\n");
    MigrateOstFilesRequest request = MigrateOstFilesRequest.newBuilder().setFsName("fs1").setOstIndex(1).setMaxFiles(10).build();
    runner.answer(CREATION_LIMITS, "0\n");
    LustreAgentBlockingStub agent = agent(Optional.of(mount));
    agent.stopOstCreation(StopOstCreationRequest.newBuilder().setFsName("fs1").setOstIndex(1).build());

    // The MDT is mounted again while the find walks: max_create_count is Lustre's default once more.
    runner.answer(CREATION_LIMITS, "20000\n");
    runner.commands.clear();
    assertThatThrownBy(() -> agent.migrateOstFiles(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
      assertThat(e.getStatus().getDescription()).contains("mounted again");
    });
    assertThat(runner.commands).containsSubsequence(List.of("lfs", "find", mount.toString(), "--ost", "1"), CREATION_LIMITS, STOP_CREATION);

    runner.answer(CREATION_LIMITS, "0\n");
    assertThat(agent.migrateOstFiles(request).getFilesFound()).as("a find begun with creation stopped, still stopped after it").isZero();
  }

  @Test
  void aKeptBatchThatFoundNothingIsNoAnswerOnceCreationWasBackOnSinceItsFind() throws Exception {
    runner.answer(List.of("lfs", "getname", mount.toString()), "fs1-ff1c9f74671fe800 " + mount + "\n");
    List<String> find = List.of("lfs", "find", mount.toString(), "--ost", "1");
    runner.answer(CREATION_LIMITS, "0\n").slow(find, java.time.Duration.ofMillis(800));
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(new AgentService(runner, Optional.of(mount))).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    MigrateOstFilesRequest request = MigrateOstFilesRequest.newBuilder().setFsName("fs1").setOstIndex(1).setMaxFiles(10).build();
    LustreAgentBlockingStub agent = LustreAgentGrpc.newBlockingStub(channel);
    assertThatThrownBy(() -> agent.withDeadlineAfter(200, java.util.concurrent.TimeUnit.MILLISECONDS).migrateOstFiles(request))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    Thread.sleep(1200);  // the find ends; its batch is kept for the next call

    // The MDT was mounted again since: the next pass stops creation again before it asks.
    runner.answer(CREATION_LIMITS, "20000\n");
    agent.stopOstCreation(StopOstCreationRequest.newBuilder().setFsName("fs1").setOstIndex(1).build());
    runner.answer(CREATION_LIMITS, "0\n");
    assertThatThrownBy(() -> agent.migrateOstFiles(request)).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED));
    assertThat(runner.commands).filteredOn(c -> c.equals(find)).as("the kept batch dropped, none walked again yet").hasSize(1);
  }

  @Test
  void migrateMovesAtMostMaxFilesAndCountsRefusals() throws Exception {
    runner.answer(List.of("lfs", "getname", mount.toString()), "fs1-ff1c9f74671fe800 " + mount + "\n");
    String a = mount.resolve("volumes/v1/a").toString();
    String b = mount.resolve("volumes/v1/b").toString();
    String c = mount.resolve("volumes/v2/c").toString();
    runner.answer(List.of("lfs", "find", mount.toString(), "--ost", "1"), a + "\n" + b + "\n" + c + "\n");
    runner.answer(List.of("lfs", "migrate", b), 16, "", "lfs migrate: cannot get group lock: Device or resource busy (16)\n");
    MigrateOstFilesResponse batch = agent(Optional.of(mount)).migrateOstFiles(
        MigrateOstFilesRequest.newBuilder().setFsName("fs1").setOstIndex(1).setMaxFiles(2).build());
    assertThat(batch.getFilesFound()).isEqualTo(3);
    assertThat(batch.getFilesMigrated()).isEqualTo(1);
    assertThat(batch.getFilesFailed()).isEqualTo(1);
    assertThat(batch.getFirstFailure()).contains("Device or resource busy");
    assertThat(runner.commands).contains(List.of("lfs", "migrate", a), List.of("lfs", "migrate", b)).doesNotContain(List.of("lfs", "migrate", c));
  }

  @Test
  void aBatchWhoseFindOutlastsTheCallersDeadlineIsAnsweredToTheNextCall() throws Exception {
    runner.answer(List.of("lfs", "getname", mount.toString()), "fs1-ff1c9f74671fe800 " + mount + "\n");
    String a = mount.resolve("volumes/v1/a").toString();
    String b = mount.resolve("volumes/v1/b").toString();
    List<String> find = List.of("lfs", "find", mount.toString(), "--ost", "1");
    runner.answer(find, a + "\n" + b + "\n").slow(find, java.time.Duration.ofMillis(1500));
    String name = InProcessServerBuilder.generateName();
    // Not direct: the handler runs on its own thread, as it does in the agent, and outlives the caller's deadline.
    server = InProcessServerBuilder.forName(name).addService(new AgentService(runner, Optional.of(mount))).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    MigrateOstFilesRequest request = MigrateOstFilesRequest.newBuilder().setFsName("fs1").setOstIndex(1).setMaxFiles(10).build();

    // Each pass waits a short while; the find over the whole namespace takes longer than that.
    MigrateOstFilesResponse answered = null;
    List<Status.Code> refusals = new java.util.ArrayList<>();
    for (int pass = 0; pass < 12 && answered == null; pass++) {
      try {
        answered = LustreAgentGrpc.newBlockingStub(channel).withDeadlineAfter(300, java.util.concurrent.TimeUnit.MILLISECONDS)
            .migrateOstFiles(request);
      } catch (StatusRuntimeException e) {
        refusals.add(e.getStatus().getCode());
        Thread.sleep(300);
      }
    }

    assertThat(refusals).first().isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(answered).as("the batch the first pass started, answered to a later one").isNotNull();
    assertThat(answered.getFilesFound()).isEqualTo(2);
    assertThat(answered.getFilesMigrated()).isEqualTo(2);
    assertThat(runner.commands).filteredOn(c -> c.equals(find)).as("one walk of the namespace").hasSize(1);
  }

  @Test
  void migrateOfAnEmptyOstFindsNothingAndMovesNothing() throws Exception {
    runner.answer(List.of("lfs", "getname", mount.toString()), "fs1-ff1c9f74671fe800 " + mount + "\n");
    runner.answer(CREATION_LIMITS, "0\n");
    MigrateOstFilesResponse batch = agent(Optional.of(mount)).migrateOstFiles(
        MigrateOstFilesRequest.newBuilder().setFsName("fs1").setOstIndex(1).setMaxFiles(100).build());
    assertThat(batch.getFilesFound()).isZero();
    assertThat(runner.commands).noneMatch(c -> c.get(1).equals("migrate"));
  }

  @Test
  void migrateRefusesAPathOutsideTheMount() throws Exception {
    runner.answer(List.of("lfs", "getname", mount.toString()), "fs1-ff1c9f74671fe800 " + mount + "\n");
    runner.answer(List.of("lfs", "find", mount.toString(), "--ost", "1"), mount + "/../etc/passwd\n");
    MigrateOstFilesResponse batch = agent(Optional.of(mount)).migrateOstFiles(
        MigrateOstFilesRequest.newBuilder().setFsName("fs1").setOstIndex(1).setMaxFiles(10).build());
    assertThat(batch.getFilesFailed()).isEqualTo(1);
    assertThat(runner.commands).noneMatch(c -> c.get(1).equals("migrate"));
  }

  private static final List<String> LIVE = List.of("lctl", "get_param", "mgs.MGS.live.fs1");
  private static final List<String> CLIENT_LOG = List.of("lctl", "--device", "MGS", "llog_print", "fs1-client");
  private static final List<String> MDT_LOG = List.of("lctl", "--device", "MGS", "llog_print", "fs1-MDT0000");
  private static final List<String> DEL_OST = List.of("lctl", "--device", "MGS", "del_ost", "--target", "fs1-OST0001");
  /** As mgs_live_lfs.txt prints it, for fs1. */
  private static final String FS1_LIVE = """
      mgs.MGS.live.fs1=
      fsname: fs1
      flags: 0x20     gen: 9
      fs1-MDT0000
      fs1-OST0000
      fs1-OST0001

      Secure RPC Config Rules:

      imperative_recovery_state:
          state: startup
      """;
  private static final String CLIENT_LOG_NAMING_OST1 = """
      - { index: 19, event: attach, device: fs1-OST0001-osc, type: osc, UUID: fs1-clilov_UUID }
      - { index: 20, event: setup, device: fs1-OST0001-osc, UUID: fs1-OST0001_UUID, node: 10.1.0.13@tcp }
      """;
  private static final String MDT_LOG_NAMING_OST1 = """
      - { index: 31, event: attach, device: fs1-OST0001-osc-MDT0000, type: osp, UUID: fs1-MDT0000-mdtlov_UUID }
      - { index: 32, event: setup, device: fs1-OST0001-osc-MDT0000, UUID: fs1-OST0001_UUID, node: 10.1.0.13@tcp }
      - { index: 33, event: add_osc, device: fs1-MDT0000-mdtlov, ost: fs1-OST0001_UUID, index: 1, gen: 1 }
      """;
  private static final String MDT_LOG_NAMING_OST0 =
      "- { index: 28, event: setup, device: fs1-OST0000-osc-MDT0000, UUID: fs1-OST0000_UUID, node: 10.1.0.12@tcp }\n";

  @Test
  void removeDeactivatesThenDeletesAndIsDoneWhenNoLogNamesTheOst() throws Exception {
    runner.answer(LIVE, FS1_LIVE).answer(CLIENT_LOG, CLIENT_LOG_NAMING_OST1).answer(MDT_LOG, MDT_LOG_NAMING_OST1);
    assertThat(agent(Optional.empty()).removeOst(RemoveOstRequest.newBuilder().setFsName("fs1").setOstIndex(1).build())
        .getAlreadyRemoved()).isFalse();
    assertThat(runner.commands).containsExactly(LIVE, CLIENT_LOG, MDT_LOG,
        List.of("lctl", "set_param", "-P", "osc.fs1-OST0001-*.active=0"), DEL_OST);

    runner.commands.clear();
    runner.answer(CLIENT_LOG, "- { index: 21, event: attach, device: fs1-OST0010-osc, type: osc, UUID: fs1-clilov_UUID }\n")
        .answer(MDT_LOG, MDT_LOG_NAMING_OST0);
    assertThat(LustreAgentGrpc.newBlockingStub(channel).removeOst(RemoveOstRequest.newBuilder().setFsName("fs1").setOstIndex(1).build())
        .getAlreadyRemoved()).isTrue();
    assertThat(runner.commands).containsExactly(LIVE, CLIENT_LOG, MDT_LOG);
  }

  @Test
  void aDelOstThatDiedAfterTheClientsLogIsNotDoneAndIsRunAgain() throws Exception {
    // The clients' log clean, the MDT's still naming the OST: what a del_ost killed midway leaves.
    runner.answer(LIVE, FS1_LIVE).answer(CLIENT_LOG, "").answer(MDT_LOG, MDT_LOG_NAMING_OST1);
    RemoveOstRequest check = RemoveOstRequest.newBuilder().setFsName("fs1").setOstIndex(1).setCheckOnly(true).build();
    assertThat(agent(Optional.empty()).removeOst(check).getAlreadyRemoved()).as("check only").isFalse();

    RemoveOstRequest remove = RemoveOstRequest.newBuilder().setFsName("fs1").setOstIndex(1).build();
    assertThat(LustreAgentGrpc.newBlockingStub(channel).removeOst(remove).getAlreadyRemoved()).isFalse();
    assertThat(runner.commands).contains(List.of("lctl", "set_param", "-P", "osc.fs1-OST0001-*.active=0"), DEL_OST);
  }

  @Test
  void aDelOstThatComplainsIsDoneOnceNoLogNamesTheOstAndFailsWhileOneDoes() throws Exception {
    runner.answer(LIVE, FS1_LIVE).answer(CLIENT_LOG, "").answer(MDT_LOG, MDT_LOG_NAMING_OST1)
        .answer(DEL_OST, 2, "", "del_ost: fs1-OST0001: No such file or directory\n");
    RemoveOstRequest remove = RemoveOstRequest.newBuilder().setFsName("fs1").setOstIndex(1).build();
    LustreAgentBlockingStub agent = agent(Optional.empty());
    assertThatThrownBy(() -> agent.removeOst(remove)).as("the MDT's log still names it")
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription()).contains("No such file"));

    // This time the run cancels the MDT's records and still exits non-zero (an llog_cancel refused, say):
    // no log names the OST any more, so the removal is done all the same.
    dev.lustrecsi.common.exec.CommandRunner cancelling = command -> {
      if (command.argv().equals(DEL_OST)) {
        runner.answer(MDT_LOG, MDT_LOG_NAMING_OST0);
      }
      return runner.run(command);
    };
    String name = InProcessServerBuilder.generateName();
    Server second = InProcessServerBuilder.forName(name).directExecutor().addService(new AgentService(cancelling, Optional.empty())).build().start();
    ManagedChannel to = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      assertThat(LustreAgentGrpc.newBlockingStub(to).removeOst(remove).getAlreadyRemoved()).isFalse();
    } finally {
      to.shutdownNow();
      second.shutdownNow();
    }
  }

  @Test
  void aCheckOnlyRemovalReadsTheLogsAndChangesNothing() throws Exception {
    runner.answer(LIVE, FS1_LIVE).answer(CLIENT_LOG, CLIENT_LOG_NAMING_OST1).answer(MDT_LOG, MDT_LOG_NAMING_OST1);
    RemoveOstRequest check = RemoveOstRequest.newBuilder().setFsName("fs1").setOstIndex(1).setCheckOnly(true).build();
    assertThat(agent(Optional.empty()).removeOst(check).getAlreadyRemoved()).isFalse();

    runner.answer(CLIENT_LOG, "").answer(MDT_LOG, MDT_LOG_NAMING_OST0);
    assertThat(LustreAgentGrpc.newBlockingStub(channel).removeOst(check).getAlreadyRemoved()).isTrue();
    assertThat(runner.commands).containsOnly(LIVE, CLIENT_LOG, MDT_LOG);
  }

  @Test
  void releaseUnmountsAServedOstAndExportsItsPool() throws Exception {
    runner.answer(List.of("lctl", "dl"), "  0 UP osd-zfs fs1-OST0001-osd fs1-OST0001-osd_UUID 5\n  1 UP obdfilter fs1-OST0001 fs1-OST0001_UUID 7\n");
    agent(Optional.empty()).releaseOst(ReleaseOstRequest.newBuilder().setFsName("fs1").setOstIndex(1).build());
    assertThat(runner.commands).containsSubsequence(List.of("zfs", "set", "lustre-csi:released=yes", "lcsi-fs1-ost0001/ost0001"),
        List.of("umount", "/lustre/targets/ost0001"), List.of("zpool", "export", "lcsi-fs1-ost0001"));
  }

  @Test
  void releaseOfAnOstAlreadyLetGoIsDone() throws Exception {
    runner.answer(List.of("zfs", "set", "lustre-csi:released=yes", "lcsi-fs1-ost0001/ost0001"), 1, "",
        "cannot open 'lcsi-fs1-ost0001/ost0001': dataset does not exist\n");
    runner.answer(List.of("zpool", "export", "lcsi-fs1-ost0001"), 1, "", "cannot open 'lcsi-fs1-ost0001': no such pool\n");
    agent(Optional.empty()).releaseOst(ReleaseOstRequest.newBuilder().setFsName("fs1").setOstIndex(1).build());
    assertThat(runner.commands).noneMatch(c -> c.getFirst().equals("umount"));
  }

  @Test
  void releaseFailsWhenThePoolWillNotExport() throws Exception {
    runner.answer(List.of("zpool", "export", "lcsi-fs1-ost0001"), 1, "", "cannot export 'lcsi-fs1-ost0001': pool is busy\n");
    LustreAgentBlockingStub agent = agent(Optional.empty());
    assertThatThrownBy(() -> agent.releaseOst(ReleaseOstRequest.newBuilder().setFsName("fs1").setOstIndex(1).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription()).contains("pool is busy"));
  }

  @Test
  void refusesABadIndexNamingTheField() throws Exception {
    LustreAgentBlockingStub agent = agent(Optional.empty());
    assertThatThrownBy(() -> agent.removeOst(RemoveOstRequest.newBuilder().setFsName("fs1").setOstIndex(-1).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("ost_index");
        });
    assertThat(runner.commands).isEmpty();
  }

  @Test
  void aSecondBatchWhileOneStillRunsIsAbortedNotStartedBesideIt() throws Exception {
    runner.answer(List.of("lfs", "getname", mount.toString()), "fs1-ff1c9f74671fe800 " + mount + "\n");
    String big = mount.resolve("volumes/v1/big").toString();
    runner.answer(List.of("lfs", "find", mount.toString(), "--ost", "1"), big + "\n");
    java.util.concurrent.CountDownLatch migrating = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
    dev.lustrecsi.common.exec.CommandRunner slow = command -> {
      if (command.argv().get(1).equals("migrate")) {
        migrating.countDown();
        try {
          finish.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return runner.run(command);
    };
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(new AgentService(slow, Optional.of(mount))).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    LustreAgentBlockingStub agent = LustreAgentGrpc.newBlockingStub(channel);
    MigrateOstFilesRequest request = MigrateOstFilesRequest.newBuilder().setFsName("fs1").setOstIndex(1).setMaxFiles(10).build();
    var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> agent.migrateOstFiles(request));
    assertThat(migrating.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> agent.migrateOstFiles(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
      assertThat(e.getStatus().getDescription()).contains("fs1-OST0001 is still running");
    });
    finish.countDown();
    assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS).getFilesMigrated()).isEqualTo(1);
    assertThat(agent.migrateOstFiles(request).getFilesFound()).as("the next batch runs once the first is done").isEqualTo(1);
  }
}
