package dev.lustrecsi.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.lustre.Fixtures;
import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.GetHealthRequest;
import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetProjectUsageRequest;
import dev.lustrecsi.agent.v1.GetProjectUsageResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageRequest;
import dev.lustrecsi.agent.v1.LustreAgentGrpc;
import dev.lustrecsi.agent.v1.LustreAgentGrpc.LustreAgentBlockingStub;
import dev.lustrecsi.agent.v1.NewDirectoryAccess;
import dev.lustrecsi.agent.v1.SetProjectQuotaRequest;
import dev.lustrecsi.agent.v1.Target;
import dev.lustrecsi.agent.v1.TargetUsage;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentServiceTest {

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

  private LustreAgentBlockingStub clientAgent() throws Exception {
    runner.answer(List.of("lfs", "getname", mount.toString()), "lfs-ff1c9f74671fe800 " + mount + "\n");
    return agent(Optional.of(mount));
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  private static EnsureVolumeDirectoryRequest.Builder ensure(String directory) {
    return EnsureVolumeDirectoryRequest.newBuilder().setFsName("lfs").setDirectory(directory).setProjectId(1000).setQuotaBytes(1L << 30);
  }

  private static void assertRefused(Runnable call, Status.Code code, String messageStart) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).startsWith(messageStart);
    });
  }

  /**
   * On an MDS whose filesystem has no OST up yet, the client mount waits (the MDS answers a
   * client's connect with EAGAIN), and the setup says so in its status file: a volume call is
   * UNAVAILABLE and says why, escaped, so the caller learns more than "retry later".
   */
  @Test
  void aVolumeCallWithoutTheClientMountQuotesWhyFromTheSetupsStatus(@TempDir Path state) throws Exception {
    Path status = state.resolve("client-mount.status");
    Files.writeString(status, "waiting for OSTs: mount -t lustre 10.1.0.10@tcp:/lfs gave up after 120 s;\n\u001b[31m no OST is up yet\n");
    runner.answer(List.of("lfs", "getname", mount.toString()), 2, "", "lfs getname: no such mount point: " + mount);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AgentService(runner, Optional.of(mount), Optional.of(status))).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    assertThatThrownBy(() -> LustreAgentGrpc.newBlockingStub(channel).ensureVolumeDirectory(ensure("pvc-1").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).startsWith("filesystem not mounted at " + mount)
              .contains("; client mount: waiting for OSTs: mount -t lustre 10.1.0.10@tcp:/lfs gave up after 120 s;")
              .doesNotContain("\u001b").doesNotContain("\n");
        });
    assertThat(mount.resolve("pvc-1")).doesNotExist();
  }

  @Test
  void healthOfAServerAfterARestart() throws Exception {
    runner.answer(List.of("lctl", "get_param", "-n", "health_check"), Fixtures.read("health_check.txt"))
        .answer(List.of("lctl", "list_nids"), Fixtures.read("lctl_list_nids.txt"))
        .answer(List.of("lctl", "dl"), Fixtures.read("lctl_dl_after_reboot.txt"))
        .answer(List.of("lctl", "get_param", "obdfilter.*.recovery_status", "mdt.*.recovery_status"), Fixtures.read("recovery_status_during2.txt"))
        .answer(List.of("lfs", "--version"), Fixtures.read("lfs_version.txt"));
    GetHealthResponse health = agent(Optional.empty()).getHealth(GetHealthRequest.getDefaultInstance());
    assertThat(health.getHealthCheck()).isEqualTo("healthy");
    assertThat(health.getLustreNotLoaded()).isFalse();
    assertThat(health.getNidsList()).containsExactly("10.99.0.1@tcp");
    assertThat(health.getLustreVersion()).isEqualTo("2.16.1");
    assertThat(health.getTargetsList()).containsExactly(
        Target.newBuilder().setKind(Target.Kind.MGT).setName("MGS").setUp(true).build(),
        Target.newBuilder().setKind(Target.Kind.MDT).setName("lfs-MDT0000").setUp(true).setRecoveryStatus("INACTIVE").build(),
        Target.newBuilder().setKind(Target.Kind.OST).setName("lfs-OST0000").setUp(true).setRecoveryStatus("COMPLETE").build(),
        Target.newBuilder().setKind(Target.Kind.OST).setName("lfs-OST0001").setIndex(1).setUp(true).setRecoveryStatus("COMPLETE").build(),
        Target.newBuilder().setKind(Target.Kind.OST).setName("lfs-OST0002").setIndex(2).setUp(true).setRecoveryStatus("COMPLETE").build());
  }

  /** Why the VM's setup leaves targets down, from the files it keeps them in, by serial; a file being written is not read yet. */
  @Test
  void healthReportsWhyTheSetupLeavesTargetsDown(@org.junit.jupiter.api.io.TempDir Path problems) throws Exception {
    runner.answer(List.of("lctl", "get_param", "-n", "health_check"), Fixtures.read("health_check.txt"))
        .answer(List.of("lctl", "list_nids"), Fixtures.read("lctl_list_nids.txt"))
        .answer(List.of("lctl", "dl"), "")
        .answer(List.of("lfs", "--version"), Fixtures.read("lfs_version.txt"));
    java.nio.file.Files.writeString(problems.resolve("ost0001"), "holds pool lcsi-lfs-ost0001, in use by another instance of this server\n");
    java.nio.file.Files.writeString(problems.resolve("ost0000"), "holds pool lcsi-lfs-ost0000, in use by another instance of this server\n");
    java.nio.file.Files.writeString(problems.resolve("ost0002.new"), "half writ");
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AgentService(runner, Optional.empty(), Optional.empty(), problems.resolve("snapshots"), Optional.of(problems))).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();

    GetHealthResponse health = LustreAgentGrpc.newBlockingStub(channel).getHealth(GetHealthRequest.getDefaultInstance());

    assertThat(health.getSetupProblemsList()).containsExactly(
        "ost0000: holds pool lcsi-lfs-ost0000, in use by another instance of this server",
        "ost0001: holds pool lcsi-lfs-ost0001, in use by another instance of this server");
  }

  /**
   * An OSS has no MDT: asked about mdt.*.recovery_status too, lctl exits 2 on every health call
   * of a healthy server, which the agent's metrics count as a failing command (and
   * LustreAgentCommandsFailing pages on). It asks only about the kinds lctl dl lists.
   */
  @Test
  void healthOfAnOssAsksOnlyAboutItsOwnKindOfTarget() throws Exception {
    String ossDevices = Fixtures.read("lctl_dl_after_reboot.txt").lines()
        .filter(line -> line.contains(" obdfilter ") || line.contains(" ost ") || line.contains("-OST000") && line.contains("osd"))
        .map(line -> line + "\n").reduce("", String::concat);
    String ossRecovery = Fixtures.read("recovery_status_during2.txt").lines().takeWhile(line -> !line.startsWith("mdt."))
        .map(line -> line + "\n").reduce("", String::concat);
    runner.answer(List.of("lctl", "get_param", "-n", "health_check"), Fixtures.read("health_check.txt"))
        .answer(List.of("lctl", "list_nids"), Fixtures.read("lctl_list_nids.txt"))
        .answer(List.of("lctl", "dl"), ossDevices)
        // What lctl does when asked about a kind the node has none of (recovery_status_during.txt).
        .answer(List.of("lctl", "get_param", "obdfilter.*.recovery_status", "mdt.*.recovery_status"), 2, ossRecovery,
            "error: get_param: param_path 'mdt/*/recovery_status': No such file or directory")
        .answer(List.of("lctl", "get_param", "obdfilter.*.recovery_status"), ossRecovery)
        .answer(List.of("lfs", "--version"), Fixtures.read("lfs_version.txt"));
    dev.lustrecsi.agent.metrics.AgentMetrics metrics = new dev.lustrecsi.agent.metrics.AgentMetrics();
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new AgentService(metrics.measured(runner), Optional.empty())).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    GetHealthResponse health = LustreAgentGrpc.newBlockingStub(channel).getHealth(GetHealthRequest.getDefaultInstance());
    assertThat(health.getTargetsList()).extracting(Target::getName, Target::getRecoveryStatus).containsExactly(
        org.assertj.core.groups.Tuple.tuple("lfs-OST0000", "COMPLETE"), org.assertj.core.groups.Tuple.tuple("lfs-OST0001", "COMPLETE"),
        org.assertj.core.groups.Tuple.tuple("lfs-OST0002", "COMPLETE"));
    assertThat(runner.commands).contains(List.of("lctl", "get_param", "obdfilter.*.recovery_status"))
        .doesNotContain(List.of("lctl", "get_param", "obdfilter.*.recovery_status", "mdt.*.recovery_status"));
    try (var http = dev.lustrecsi.common.metrics.MetricsServer.start(
        dev.lustrecsi.common.metrics.MetricsAddress.parse("127.0.0.1:0").orElseThrow(), metrics.registry())) {
      assertThat(dev.lustrecsi.common.metrics.Scrape.of(http.uri()).find(dev.lustrecsi.agent.metrics.AgentMetrics.COMMAND_FAILURES, java.util.Map.of()))
          .as("failed commands on a healthy OSS").isNotEmpty().allSatisfy(sample -> assertThat(sample.value()).isZero());
    }
  }

  @Test
  void healthBeforeTheModulesAreLoaded() throws Exception {
    runner.answer(List.of("lctl", "get_param", "-n", "health_check"), 2, "", Fixtures.read("health_check_after_crash.txt"))
        .answer(List.of("lctl", "list_nids"), 1, "", "IOC_LIBCFS_GET_NI error 100: Network is down")
        .answer(List.of("lctl", "dl"), 1, "", "opening /dev/obd failed: No such file or directory")
        .answer(List.of("lfs", "--version"), Fixtures.read("lfs_version.txt"));
    GetHealthResponse health = agent(Optional.empty()).getHealth(GetHealthRequest.getDefaultInstance());
    // No target listed: no recovery to ask about (lctl would exit 2 for both kinds).
    assertThat(runner.commands).noneMatch(argv -> argv.toString().contains("recovery_status"));
    assertThat(health.getHealthCheck()).startsWith("NOT HEALTHY: error: get_param: param_path 'health_check'");
    assertThat(health.getLustreNotLoaded()).isTrue();
    assertThat(health.getTargetsList()).isEmpty();
    assertThat(health.getNidsList()).isEmpty();
    assertThat(health.getLustreVersion()).isEqualTo("2.16.1");
  }

  @Test
  void ensureRunsTheCommandsInOrderAndARetryDoesNotWalkTheTreeAgain() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    EnsureVolumeDirectoryRequest request = ensure("volumes/pvc-1").setStripeCount(2).setStripeSizeBytes(4L << 20).setPool("flash").build();
    String dir = mount.resolve("volumes/pvc-1").toString();
    // Nothing of the path exists yet: the nearest directory that does, the root, is checked for an inherited id.
    runner.answer(List.of("lfs", "project", "-d", mount.toString()), "    0 - " + mount + "\n");
    agent.ensureVolumeDirectory(request);
    List<List<String>> first = List.copyOf(runner.commands);
    runner.commands.clear();
    runner.answer(List.of("lfs", "project", "-d", dir), " 1000 P " + dir + "\n");
    agent.ensureVolumeDirectory(request);
    assertThat(first).containsExactly(
        List.of("lfs", "getname", mount.toString()),
        List.of("lfs", "project", "-d", mount.toString()),
        List.of("lfs", "setstripe", "-c", "2", "-S", "4M", "-p", "flash", dir),
        List.of("lfs", "project", "-p", "1000", "-s", "-r", dir),
        List.of("lfs", "setquota", "-p", "1000", "-B", "1048576k", mount.toString()));
    // The fsname is learnt once; the second time the volume's own directory is what is checked, and
    // as it carries the project with its inherit flag, the tree (a restore's copy, by the time a
    // retry comes) is not walked again.
    assertThat(runner.commands).containsExactly(List.of("lfs", "project", "-d", dir), first.get(2), first.get(4));
    assertThat(mount.resolve("volumes/pvc-1")).isDirectory();

    // Tagged without the inherit flag (an admin's lfs project -C, say): tagged again, all of it.
    runner.commands.clear();
    runner.answer(List.of("lfs", "project", "-d", dir), " 1000 - " + dir + "\n");
    agent.ensureVolumeDirectory(request);
    assertThat(runner.commands).contains(List.of("lfs", "project", "-p", "1000", "-s", "-r", dir));
  }

  @Test
  void ensureGivesTheDirectoryTheOwnerAndModeAskedForSetIdBitsIncluded() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    runner.answer(List.of("lfs", "project", "-d", mount.toString()), "    0 - " + mount + "\n");
    agent.ensureVolumeDirectory(ensure("pvc-1").setAccess(NewDirectoryAccess.newBuilder().setMode(02775).setUid(1000).setGid(2000)).build());
    Path dir = mount.resolve("pvc-1");
    assertThat(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1000);
    assertThat(Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(2000);
    assertThat((Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777).isEqualTo(02775);
  }

  /** A request from a controller that knows no owner or mode leaves the directory as made, as before the field existed. */
  @Test
  void ensureWithoutAccessLeavesTheOwnerAndModeAsTheyAre() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    Path dir = Files.createDirectory(mount.resolve("pvc-1"));
    Files.setAttribute(dir, "unix:mode", 0710);
    Files.setAttribute(dir, "unix:uid", 4242);
    runner.answer(List.of("lfs", "project", "-d", dir.toString()), "    0 - " + dir + "\n");
    agent.ensureVolumeDirectory(ensure("pvc-1").build());
    assertThat(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4242);
    assertThat((Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777).isEqualTo(0710);
  }

  @Test
  void refusesAnOwnerOrModeOutOfRangeNamingTheField() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    NewDirectoryAccess fine = NewDirectoryAccess.newBuilder().setMode(0777).build();
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setAccess(fine.toBuilder().setMode(010000)).build()), Status.Code.INVALID_ARGUMENT,
        "access.mode: 010000 (octal) is not a directory mode");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setAccess(fine.toBuilder().setUid(-1)).build()), Status.Code.INVALID_ARGUMENT,
        "access.uid: 4294967295 is not an id");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setAccess(fine.toBuilder().setGid(1 << 31)).build()), Status.Code.INVALID_ARGUMENT,
        "access.gid: 2147483648 is not an id");
    assertThat(mount.resolve("d")).doesNotExist();
  }

  @Test
  void aDirectoryTaggedWithAnotherProjectIsNeitherTakenOverNorDeleted() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    Path theirs = Files.createDirectories(mount.resolve("volumes/pvc-9"));
    Files.writeString(theirs.resolve("data"), "the site's");
    runner.answer(List.of("lfs", "project", "-d", theirs.toString()), "  777 P " + theirs + "\n");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("volumes/pvc-9").build()), Status.Code.FAILED_PRECONDITION,
        "directory: volumes/pvc-9 already has project id 777, not 1000");
    agent.deleteVolumeDirectory(DeleteVolumeDirectoryRequest.newBuilder().setFsName("lfs").setDirectory("volumes/pvc-9").setProjectId(1000).build());
    assertThat(theirs.resolve("data")).hasContent("the site's");
    assertThat(runner.commands).noneMatch(c -> c.contains("777") || c.contains("-s"));
  }

  @Test
  void aVolumeThatWouldInheritAnotherProjectIsRefusedBeforeItIsMade() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    Path root = Files.createDirectories(mount.resolve("site"));
    runner.answer(List.of("lfs", "project", "-d", root.toString()), "  888 P " + root + "\n");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("site/vols/pvc-1").build()), Status.Code.FAILED_PRECONDITION,
        "directory: site/vols/pvc-1 would inherit project id 888 from site (its inherit flag is set), not 1000");
    assertThat(root.resolve("vols")).doesNotExist();
    // Without the inherit flag nothing made inside takes the id: the volume is made.
    runner.answer(List.of("lfs", "project", "-d", root.toString()), "  888 - " + root + "\n");
    agent.ensureVolumeDirectory(ensure("site/vols/pvc-1").build());
    assertThat(root.resolve("vols/pvc-1")).isDirectory();
  }

  @Test
  void ensureWithDefaultLayoutSkipsSetstripeAndRoundsTheQuotaUp() throws Exception {
    runner.answer(List.of("lfs", "project", "-d", mount.toString()), "    0 - " + mount + "\n");
    clientAgent().ensureVolumeDirectory(ensure("pvc-2").setQuotaBytes(1).build());
    assertThat(runner.commands).noneMatch(c -> c.contains("setstripe"))
        .contains(List.of("lfs", "setquota", "-p", "1000", "-B", "1k", mount.toString()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc", "../outside", "a/../../outside", "a//b", "./a", "a/", "a\0b"})
  void refusesDirectoriesThatEscape(String directory) throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    assertRefused(() -> agent.ensureVolumeDirectory(ensure(directory).build()), Status.Code.INVALID_ARGUMENT, "directory:");
    assertRefused(() -> agent.deleteVolumeDirectory(DeleteVolumeDirectoryRequest.newBuilder().setFsName("lfs").setDirectory(directory).build()),
        Status.Code.INVALID_ARGUMENT, "directory:");
    assertThat(runner.commands).noneMatch(c -> c.contains("setquota") || c.contains("project"));
  }

  @Test
  void refusesSymlinksPlantedInTheNamespace(@TempDir Path outside) throws Exception {
    Files.createDirectories(mount.resolve("volumes/pvc-1"));
    Files.writeString(outside.resolve("precious"), "data");
    Files.createSymbolicLink(mount.resolve("volumes/pvc-1/escape"), outside);
    Files.createSymbolicLink(mount.resolve("volumes/link"), outside);
    LustreAgentBlockingStub agent = clientAgent();
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("volumes/pvc-1/escape/x").build()), Status.Code.INVALID_ARGUMENT, "directory:");
    assertRefused(() -> agent.deleteVolumeDirectory(DeleteVolumeDirectoryRequest.newBuilder().setFsName("lfs").setDirectory("volumes/link").build()),
        Status.Code.INVALID_ARGUMENT, "directory:");
    // Deleting the volume removes the link inside it, never what it points at.
    runner.answer(List.of("lfs", "project", "-d", mount.resolve("volumes/pvc-1").toString()), " 1000 P " + mount.resolve("volumes/pvc-1") + "\n");
    agent.deleteVolumeDirectory(DeleteVolumeDirectoryRequest.newBuilder().setFsName("lfs").setDirectory("volumes/pvc-1").setProjectId(1000).build());
    assertThat(mount.resolve("volumes/pvc-1")).doesNotExist();
    assertThat(outside.resolve("precious")).hasContent("data");
  }

  @Test
  void refusesBadFieldsNamingThem() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setProjectId(0).build()), Status.Code.INVALID_ARGUMENT, "project_id:");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setProjectId(-1).build()), Status.Code.INVALID_ARGUMENT, "project_id:");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setQuotaBytes(-5).build()), Status.Code.INVALID_ARGUMENT, "quota_bytes:");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setStripeSizeBytes(1000).build()), Status.Code.INVALID_ARGUMENT, "stripe_size_bytes:");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setStripeCount(-3).build()), Status.Code.INVALID_ARGUMENT, "stripe_count:");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setPool("no/slash").build()), Status.Code.INVALID_ARGUMENT, "pool:");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("").build()), Status.Code.INVALID_ARGUMENT, "directory: is required");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setFsName("").build()), Status.Code.INVALID_ARGUMENT, "fs_name:");
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").setFsName("other").build()), Status.Code.FAILED_PRECONDITION, "fs_name:");
    assertThat(mount.resolve("d")).doesNotExist();
  }

  @Test
  void volumeCallsNeedAClientMount() throws Exception {
    LustreAgentBlockingStub agent = agent(Optional.empty());
    assertRefused(() -> agent.ensureVolumeDirectory(ensure("d").build()), Status.Code.FAILED_PRECONDITION, "this server does not mount");
  }

  @Test
  void unmountedFilesystemIsWorthARetry() throws Exception {
    runner.answer(List.of("lfs", "getname", mount.toString()), 2, "", "lfs getname: cannot find any Lustre mount");
    LustreAgentBlockingStub agent = agent(Optional.of(mount));
    assertRefused(() -> agent.setProjectQuota(SetProjectQuotaRequest.newBuilder().setFsName("lfs").setProjectId(5).setQuotaBytes(1 << 20).build()),
        Status.Code.UNAVAILABLE, "filesystem not mounted");
  }

  @Test
  void setQuota() throws Exception {
    clientAgent().setProjectQuota(SetProjectQuotaRequest.newBuilder().setFsName("lfs").setProjectId(1001).setQuotaBytes(20L << 20).build());
    assertThat(runner.commands).endsWith(List.of("lfs", "setquota", "-p", "1001", "-B", "20480k", mount.toString()));
  }

  @Test
  void deleteOfAnAbsentVolumeIsDone() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    List<String> delete = List.of("lfs", "setquota", "--delete", "-p", "1000", mount.toString());
    // lfs refuses to delete an entry that is gone; the project reads back empty, so that is success.
    runner.answer(delete, 2, "", "lfs setquota: cannot delete quota: No such file or directory")
        .answer(List.of("lfs", "quota", "-p", "1000", mount.toString()), Fixtures.read("lfs_quota_p_nolimit.txt"));
    agent.deleteVolumeDirectory(DeleteVolumeDirectoryRequest.newBuilder().setFsName("lfs").setDirectory("volumes/gone").setProjectId(1000).build());
    assertThat(runner.commands).contains(delete);
  }

  @Test
  void deleteOnZfsIsDoneWhileTheFreedBlocksStillCount() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    List<String> delete = List.of("lfs", "setquota", "--delete", "-p", "1000", mount.toString());
    // A retried delete: the entry is gone, but ZFS has not freed the removed directory's blocks yet.
    runner.answer(delete, 2, "", "lfs setquota: cannot delete quota: No such file or directory")
        .answer(List.of("lfs", "quota", "-p", "1000", mount.toString()), Fixtures.read("lfs_quota_p_deleted_zfs.txt"));
    agent.deleteVolumeDirectory(DeleteVolumeDirectoryRequest.newBuilder().setFsName("lfs").setDirectory("volumes/gone").setProjectId(1000).build());
    assertThat(runner.commands).contains(delete);
  }

  @Test
  void deleteThatLeavesALimitFails() throws Exception {
    LustreAgentBlockingStub agent = clientAgent();
    runner.answer(List.of("lfs", "setquota", "--delete", "-p", "1000", mount.toString()), 1, "", "lfs setquota: quotactl failed: Input/output error")
        .answer(List.of("lfs", "quota", "-p", "1000", mount.toString()), Fixtures.read("lfs_quota_p.txt"));
    assertRefused(() -> agent.deleteVolumeDirectory(DeleteVolumeDirectoryRequest.newBuilder().setFsName("lfs").setDirectory("v").setProjectId(1000).build()),
        Status.Code.INTERNAL, "lfs setquota --delete -p 1000");
  }

  @Test
  void targetUsageInBytes() throws Exception {
    runner.answer(List.of("lfs", "df", mount.toString()), Fixtures.read("lfs_df_degraded_inactive.txt"));
    List<TargetUsage> usage = clientAgent().getTargetUsage(GetTargetUsageRequest.newBuilder().setFsName("lfs").build()).getTargetsList();
    assertThat(usage).hasSize(6);
    assertThat(usage.get(2)).isEqualTo(TargetUsage.newBuilder().setUuid("fs1-OST0001_UUID").setKind(Target.Kind.OST).setIndex(1)
        .setCapacityBytes(94181368L * 1024).setUsedBytes(56385748L * 1024).setAvailableBytes(37795620L * 1024).setFlags("D").build());
    assertThat(usage.get(4).getInactive()).isTrue();
    assertThat(usage.get(0).getKind()).isEqualTo(Target.Kind.MDT);
  }

  @Test
  void projectUsageOverLimit() throws Exception {
    runner.answer(List.of("lfs", "quota", "-p", "1001", mount.toString()), Fixtures.read("lfs_quota_p1001_after.txt"));
    GetProjectUsageResponse usage = clientAgent().getProjectUsage(GetProjectUsageRequest.newBuilder().setFsName("lfs").setProjectId(1001).build());
    assertThat(usage).isEqualTo(GetProjectUsageResponse.newBuilder().setUsedBytes(102417L * 1024).setLimitBytes(20480L * 1024).setFiles(2).setOverLimit(true).build());
  }

  @Test
  void aHungCommandIsUnavailable() throws Exception {
    runner.hang(List.of("lfs", "df", mount.toString()));
    LustreAgentBlockingStub agent = clientAgent();
    assertRefused(() -> agent.getTargetUsage(GetTargetUsageRequest.newBuilder().setFsName("lfs").build()), Status.Code.UNAVAILABLE, "lfs df");
  }

  @Test
  void unreadableOutputIsInternal() throws Exception {
    runner.answer(List.of("lfs", "df", mount.toString()), Fixtures.read("lfs_df_h.txt"));
    LustreAgentBlockingStub agent = clientAgent();
    assertRefused(() -> agent.getTargetUsage(GetTargetUsageRequest.newBuilder().setFsName("lfs").build()), Status.Code.INTERNAL, "cannot read Lustre output");
  }
}
