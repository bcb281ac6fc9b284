package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CreateSnapshotRequest;
import csi.v1.CreateVolumeRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.Snapshot;
import csi.v1.Volume;
import csi.v1.VolumeContentSource;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.volume.kubernetes.LustreVolume;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller killed at each step of a restore and of a clone, then restarted with the CO
 * retrying, ends as an uninterrupted run does: both volumes READY with the content their source
 * had at the snapshot (the clone: when it was made), no snapshot piece or client left mounted, no
 * clone snapshot left (nor its forked configuration), no directory leaked. And a CO that deletes
 * the half-made volume instead of retrying leaves nothing of it. The steps are every write to the
 * API server and every command that changes a server: mounts and unmounts, ZFS snapshots and
 * their destruction, the barrier, the configuration logs forked and erased.
 */
class RestoreCrashTest {
  @TempDir static Path dir;
  static ControllerOnCluster controller;
  static Volume source;
  static Snapshot snapshot;
  static final String FS = "restcr";
  /**
   * The restored volume and the clone come from a class that would give a new directory another
   * owner and mode than the source's: as copies they keep the source's (its users' data, theirs).
   */
  static final Map<String, String> PARAMS = Map.of("fsName", FS, "ostSize", "10Gi", "maxOsts", "4",
      "directoryUid", "3000", "directoryGid", "3000", "directoryMode", "0700");
  static final Map<String, String> SOURCE_PARAMS = Map.of("fsName", FS, "ostSize", "10Gi", "maxOsts", "4",
      "directoryUid", "1000", "directoryGid", "2000", "directoryMode", "2770");
  static final Set<String> LCTL_AND_ZFS_CHANGES = Set.of("barrier_freeze", "barrier_thaw", "snapshot", "destroy", "fork_lcfg", "erase_lcfg");

  @BeforeAll
  static void start() throws IOException {
    // No periodic passes: every write and command comes from a CSI call.
    controller = new ControllerOnCluster(dir, Duration.ofHours(1));
    source = controller.create("restcr-source", Sizes.GIB, SOURCE_PARAMS);
    Files.setAttribute(sourceDirectory(), "unix:mode", 02750);  // changed by its users since it was made
    write("results/a.txt", "as at the snapshot");
    write("results/deep/b.txt", "kept");
    snapshot = controller.asCo(() -> controller.csi().createSnapshot(CreateSnapshotRequest.newBuilder().setName("restcr-snap")
        .setSourceVolumeId(source.getVolumeId()).build())).getSnapshot();
    write("results/a.txt", "changed after the snapshot");
    write("results/c.txt", "made after the snapshot");
  }

  @AfterAll
  static void stop() {
    controller.cluster.servers().onCommand(null);
    controller.close();
  }

  /** Writes into the source volume's directory, as a pod would through its mount. */
  private static void write(String file, String text) {
    Path path = sourceDirectory().resolve(file);
    try {
      Files.createDirectories(path.getParent());
      Files.writeString(path, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path sourceDirectory() {
    return controller.cluster.servers().namespace(FS).resolve(VolumeId.parse(source.getVolumeId()).orElseThrow().directory());
  }

  /** Mounts, unmounts, ZFS snapshots and their destruction, barrier and configuration log changes: the commands that change a server. */
  static boolean changes(List<String> argv) {
    String command = argv.getFirst();
    return command.equals("umount") || command.equals("mount") && argv.contains("-o")
        || argv.size() > 1 && LCTL_AND_ZFS_CHANGES.contains(argv.get(1));
  }

  private static void command(ControllerKiller killer, String server, List<String> argv) {
    if (changes(argv)) {
      killer.step(server + ": " + String.join(" ", argv));
    }
    // Anything else (reads, and the agent's own copy work in its background) goes on: the agent outlives the controller.
  }

  static CreateVolumeRequest restore(String name) {
    return ControllerOnCluster.request(name, Sizes.GIB, PARAMS).toBuilder().setVolumeContentSource(VolumeContentSource.newBuilder()
        .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snapshot.getSnapshotId()))).build();
  }

  static CreateVolumeRequest cloneOfSource(String name) {
    return ControllerOnCluster.request(name, Sizes.GIB, PARAMS).toBuilder().setVolumeContentSource(VolumeContentSource.newBuilder()
        .setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId(source.getVolumeId()))).build();
  }

  record Outcome(Map<String, String> state, int steps, boolean killed, List<String> stepsBeforeTheKill) {}

  /**
   * The CO's calls, a restore then a clone, with the controller killed before step {@code killAt};
   * after the kill a new controller gets the failed call again ({@code retry}) or, when not, a
   * DeleteVolume of the volume it was making, as a CO whose claim went.
   */
  private static Outcome run(String run, int killAt, boolean retry) {
    ControllerKiller killer = new ControllerKiller(killAt);
    boolean killed = controller.runKilledOnce(killer, (server, argv) -> command(killer, server, argv),
        List.of(restore(run + "-restored"), cloneOfSource(run + "-clone")),
        request -> controller.asCo(() -> controller.csi().createVolume(request)),
        request -> {
          if (retry) {
            controller.asCo(() -> controller.csi().createVolume(request));
          } else {
            String id = new VolumeId(FS, VolumeId.directoryFor(request.getName())).toString();
            controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(id).build()));
          }
        });
    return new Outcome(state(run), killer.steps(), killed, killer.seen());
  }

  /** Deletes the run's volumes, so that the next run starts where this one did. */
  private static void cleanUp(String run) {
    controller.restart();
    for (LustreVolume record : controller.records()) {
      if (record.getSpec().name().startsWith(run + "-")) {
        String id = new VolumeId(record.getSpec().fsName(), record.getSpec().directory()).toString();
        controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(id).build()));
      }
    }
  }

  /** The run's volumes with their content, and what the servers hold: it must match an uninterrupted run's. */
  private static Map<String, String> state(String run) {
    Map<String, String> state = new TreeMap<>();
    SimulatedServers servers = controller.cluster.servers();
    Path namespace = servers.namespace(FS);
    for (LustreVolume record : controller.records()) {
      var spec = record.getSpec();
      if (!spec.name().startsWith(run + "-")) {
        continue;
      }
      Path root = namespace.resolve(spec.directory());
      var project = servers.filesystem(FS).orElseThrow().projects().get(spec.directory());
      state.put("volume " + spec.name().substring(run.length()), spec.state() + " " + spec.capacity()
          + " source: " + (spec.source() == null ? "none" : spec.source().kind() + " " + spec.source().id() + " " + spec.source().phase())
          + " project matches record: " + (project != null && project.id() == spec.projectId())
          + " owner: " + ownerAndMode(root)
          + " files: " + files(root));
    }
    try (Stream<Path> entries = Files.list(namespace)) {
      state.put("directories", entries.map(p -> p.getFileName().toString())
          .map(n -> n.startsWith(run + "-") ? n.substring(run.length()) : n).sorted().toList().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    state.put("ZFS snapshots", new TreeMap<>(servers.allSnapshots().stream()
        .collect(Collectors.groupingBy(s -> s.substring(s.indexOf('@') + 1), Collectors.counting()))).toString());
    state.put("forked configurations", Integer.toString(servers.forkedConfigurations().size()));
    state.put("mounted snapshots", servers.mountedSnapshots().toString());
    state.put("barrier holds", Boolean.toString(servers.frozen(FS)));
    return state;
  }

  private static String ownerAndMode(Path root) {
    if (!Files.isDirectory(root)) {
      return "no directory";
    }
    try {
      return ProvisioningTest.ownerAndMode(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each file under the volume's directory with its content, sorted. */
  private static String files(Path root) {
    if (!Files.isDirectory(root)) {
      return "no directory";
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).sorted().map(f -> {
        try {
          return root.relativize(f) + "=" + Files.readString(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).toList().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void killedAtAnyStepOfARestoreOrACloneAndRetriedConverges() {
    Outcome clean = run("clean", 0, true);
    cleanUp("clean");
    assertThat(clean.killed()).isFalse();
    assertThat(clean.state().get("volume -restored")).startsWith("READY 1 GiB source: SNAPSHOT " + snapshot.getSnapshotId() + " DONE")
        .contains("project matches record: true")
        .contains("owner: 1000:2000 2750")
        .endsWith("files: [results/a.txt=as at the snapshot, results/deep/b.txt=kept]");
    assertThat(clean.state().get("volume -clone")).startsWith("READY 1 GiB source: VOLUME " + source.getVolumeId() + " DONE")
        .contains("owner: 1000:2000 2750")
        .endsWith("files: [results/a.txt=changed after the snapshot, results/c.txt=made after the snapshot, results/deep/b.txt=kept]");
    assertThat(clean.state().get("mounted snapshots")).isEqualTo("[]");
    assertThat(clean.state().get("ZFS snapshots")).as("only the CSI snapshot's pieces").doesNotContain("lcsi-clone-");
    assertThat(clean.state().get("forked configurations")).as("the CSI snapshot's only").isEqualTo("1");
    assertThat(clean.steps()).as("the clean run's steps: one kill point each").isGreaterThan(15);

    int killAt = 1;
    while (true) {
      Outcome recovered = run("r" + killAt, killAt, true);
      cleanUp("r" + killAt);
      assertThat(recovered.state()).as("killed before step %d, after %s", killAt, recovered.stepsBeforeTheKill()).isEqualTo(clean.state());
      if (!recovered.killed()) {
        break;
      }
      killAt++;
    }
    assertThat(killAt).as("kill points tried").isGreaterThan(15);
  }

  @Test
  void aHalfMadeRestoreOrCloneThatIsDeletedLeavesNothing() {
    Outcome clean = run("nothing", Integer.MAX_VALUE, true);
    cleanUp("nothing");
    Map<String, String> nothing = state("nothing");
    assertThat(nothing.get("directories")).isEqualTo("[" + VolumeId.parse(source.getVolumeId()).orElseThrow().directory() + "]");
    int killAt = 1;
    while (killAt < clean.steps()) {
      String run = "d" + killAt;
      Outcome deleted = run(run, killAt, false);
      cleanUp(run);
      assertThat(deleted.killed()).isTrue();
      Map<String, String> left = state(run);
      assertThat(left).as("deleted after a kill before step %d, after %s", killAt, deleted.stepsBeforeTheKill()).isEqualTo(nothing);
      killAt++;
    }
  }

  /** The copy cannot start (its client mount fails, once): the restore is recorded, its snapshot's pieces mounted. */
  private static void leaveMidway(CreateVolumeRequest request) {
    controller.cluster.servers().onCommand((server, argv) -> {
      if (argv.getFirst().equals("mount") && argv.stream().anyMatch(a -> a.contains(":/"))) {
        controller.cluster.servers().onCommand(null);
        throw new IllegalStateException("the snapshot's client mount fails this once");
      }
    });
    try {
      assertThat(controller.codeOf(() -> controller.csi().createVolume(request))).isNotEqualTo(io.grpc.Status.Code.OK);
    } finally {
      controller.cluster.servers().onCommand(null);
    }
  }

  @Test
  void aSnapshotBeingRestoredFromIsInUseUntilTheRestoreIsDone() {
    Snapshot own = controller.asCo(() -> controller.csi().createSnapshot(CreateSnapshotRequest.newBuilder().setName("restcr-in-use")
        .setSourceVolumeId(source.getVolumeId()).build())).getSnapshot();
    CreateVolumeRequest request = ControllerOnCluster.request("inuse-restored", Sizes.GIB, PARAMS).toBuilder()
        .setVolumeContentSource(VolumeContentSource.newBuilder()
            .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(own.getSnapshotId()))).build();
    leaveMidway(request);
    assertThat(controller.cluster.servers().mountedSnapshots()).as("the pieces mounted for the copy").isNotEmpty();
    controller.restart();
    assertThat(controller.codeOf(() -> controller.csi().deleteSnapshot(csi.v1.DeleteSnapshotRequest.newBuilder()
        .setSnapshotId(own.getSnapshotId()).build()))).as("DeleteSnapshot while a volume is restored from it")
        .isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
    Volume restored = controller.asCo(() -> controller.csi().createVolume(request)).getVolume();
    controller.asCo(() -> controller.csi().deleteSnapshot(csi.v1.DeleteSnapshotRequest.newBuilder().setSnapshotId(own.getSnapshotId()).build()));
    assertThat(files(controller.cluster.servers().namespace(FS).resolve(VolumeId.parse(restored.getVolumeId()).orElseThrow().directory())))
        .contains("results/deep/b.txt=kept");
    controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(restored.getVolumeId()).build()));
    assertThat(controller.cluster.servers().mountedSnapshots()).isEmpty();
  }

  /** Holds the first LustreVolume creation after {@link #arm} until {@link #release}, as a slow API server would. */
  static final class HeldVolumeCreation implements io.fabric8.kubernetes.client.http.Interceptor {
    final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
    final java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

    void arm() {
      armed.set(true);
    }

    void release() {
      released.countDown();
    }

    @Override
    public void before(io.fabric8.kubernetes.client.http.BasicBuilder builder, io.fabric8.kubernetes.client.http.HttpRequest request,
        RequestTags tags) {
      if (request.method().equals("POST") && request.uri().getPath().endsWith("/lustrevolumes") && armed.compareAndSet(true, false)) {
        reached.countDown();
        try {
          released.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * A DeleteSnapshot that comes after a restore from the snapshot has checked it, but before the
   * restore's first record is written (here: that write is slow), finds no record of the restore
   * yet. It must not delete the snapshot from under the restore: the snapshot is in use from the
   * check on, whatever the CO (Kubernetes' finalizer would keep its sidecar from asking; another
   * CO may ask).
   */
  @Test
  void aSnapshotARestoreHasCheckedIsInUseBeforeTheRestoresRecordIsWritten() throws Exception {
    Snapshot own = controller.asCo(() -> controller.csi().createSnapshot(CreateSnapshotRequest.newBuilder().setName("restcr-starting")
        .setSourceVolumeId(source.getVolumeId()).build())).getSnapshot();
    CreateVolumeRequest request = ControllerOnCluster.request("starting-restored", Sizes.GIB, PARAMS).toBuilder()
        .setVolumeContentSource(VolumeContentSource.newBuilder()
            .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(own.getSnapshotId()))).build();
    csi.v1.DeleteSnapshotRequest deleteSnapshot = csi.v1.DeleteSnapshotRequest.newBuilder().setSnapshotId(own.getSnapshotId()).build();
    HeldVolumeCreation held = new HeldVolumeCreation();
    controller.restart(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("held", held)));
    java.util.concurrent.ExecutorService co = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      held.arm();
      java.util.concurrent.Future<Volume> restoring = co.submit(() -> controller.asCo(() -> controller.csi().createVolume(request)).getVolume());
      assertThat(held.reached.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("the restore checked the snapshot; its record is being written")
          .isTrue();

      assertThat(controller.codeOf(() -> controller.csi().deleteSnapshot(deleteSnapshot))).as("DeleteSnapshot while the restore starts")
          .isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
      held.release();
      Volume restored = restoring.get(2, java.util.concurrent.TimeUnit.MINUTES);

      assertThat(files(controller.cluster.servers().namespace(FS).resolve(VolumeId.parse(restored.getVolumeId()).orElseThrow().directory())))
          .contains("results/deep/b.txt=kept");
      controller.asCo(() -> controller.csi().deleteSnapshot(deleteSnapshot));
      controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(restored.getVolumeId()).build()));
      assertThat(controller.cluster.servers().mountedSnapshots()).isEmpty();
    } finally {
      held.release();
      co.shutdownNow();
      controller.restart();
    }
  }

  /** As for DeleteSnapshot: a group snapshot one of whose members a volume is being restored from is in use, and nothing of it goes. */
  @Test
  void aGroupSnapshotWhoseMemberIsBeingRestoredFromIsInUseUntilTheRestoreIsDone() {
    var groups = csi.v1.GroupControllerGrpc.newBlockingStub(controller.channel());
    csi.v1.VolumeGroupSnapshot group = controller.asCo(() -> groups.createVolumeGroupSnapshot(csi.v1.CreateVolumeGroupSnapshotRequest
        .newBuilder().setName("restcr-group").addSourceVolumeIds(source.getVolumeId()).build())).getGroupSnapshot();
    CreateVolumeRequest request = ControllerOnCluster.request("group-restored", Sizes.GIB, PARAMS).toBuilder()
        .setVolumeContentSource(VolumeContentSource.newBuilder().setSnapshot(VolumeContentSource.SnapshotSource.newBuilder()
            .setSnapshotId(group.getSnapshots(0).getSnapshotId()))).build();
    leaveMidway(request);
    var delete = csi.v1.DeleteVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId(group.getGroupSnapshotId())
        .addSnapshotIds(group.getSnapshots(0).getSnapshotId()).build();

    assertThat(controller.codeOf(() -> groups.deleteVolumeGroupSnapshot(delete))).as("DeleteVolumeGroupSnapshot while a member is restored from")
        .isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
    Volume restored = controller.asCo(() -> controller.csi().createVolume(request)).getVolume();
    assertThat(files(controller.cluster.servers().namespace(FS).resolve(VolumeId.parse(restored.getVolumeId()).orElseThrow().directory())))
        .contains("results/deep/b.txt=kept");
    controller.asCo(() -> groups.deleteVolumeGroupSnapshot(delete));
    controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(restored.getVolumeId()).build()));
    assertThat(controller.cluster.servers().mountedSnapshots()).isEmpty();
  }

  @Test
  void aRestoreOrACloneWhoseSizeIsLeftToTheDriverIsAsLargeAsItsContent() {
    Volume large = controller.create("restcr-large", 3 * Sizes.GIB, PARAMS);
    Snapshot ofLarge = controller.asCo(() -> controller.csi().createSnapshot(CreateSnapshotRequest.newBuilder().setName("restcr-large-snap")
        .setSourceVolumeId(large.getVolumeId()).build())).getSnapshot();
    List<CreateVolumeRequest> unsized = List.of(
        ControllerOnCluster.request("restcr-large-restored", 0, PARAMS).toBuilder().clearCapacityRange().setVolumeContentSource(
            VolumeContentSource.newBuilder().setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(ofLarge.getSnapshotId()))).build(),
        ControllerOnCluster.request("restcr-large-clone", 0, PARAMS).toBuilder().clearCapacityRange().setVolumeContentSource(
            VolumeContentSource.newBuilder().setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId(large.getVolumeId()))).build());
    try {
      for (CreateVolumeRequest request : unsized) {
        Volume made = controller.asCo(() -> controller.csi().createVolume(request)).getVolume();
        assertThat(made.getCapacityBytes()).as(request.getName()).isEqualTo(3 * Sizes.GIB);
        assertThat(controller.asCo(() -> controller.csi().createVolume(request)).getVolume()).as("a retry").isEqualTo(made);
        controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(made.getVolumeId()).build()));
      }
    } finally {
      controller.asCo(() -> controller.csi().deleteSnapshot(csi.v1.DeleteSnapshotRequest.newBuilder().setSnapshotId(ofLarge.getSnapshotId()).build()));
      controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(large.getVolumeId()).build()));
    }
  }

  @Test
  void aSnapshotTakenBeforeRestoresExistedIsFailedPreconditionAndLeavesNothing() throws Exception {
    // Pieces as snapshots were taken before they carried a filesystem name of their own: plain ZFS snapshots.
    String old = "lcsi-20250101-000000-0a0b0c";
    SimulatedServers servers = controller.cluster.servers();
    for (SimulatedServers.Target target : servers.targets(FS)) {
      new dev.lustrecsi.sandbox.lustre.SimulatedLustreCommands(servers, target.server())
          .run(dev.lustrecsi.agent.lustre.ZfsCommands.snapshot(SimulatedServers.dataset(target), old));
    }
    var record = new dev.lustrecsi.controller.snapshot.SnapshotRecord("restcr-old", new dev.lustrecsi.controller.snapshot.SnapshotId(FS, "restcr-old"),
        VolumeId.parse(source.getVolumeId()).orElseThrow(), old, Sizes.GIB, 1735689600L, dev.lustrecsi.controller.snapshot.SnapshotRecord.State.READY, "",
        java.time.Instant.ofEpochSecond(1735689600L));
    controller.cluster.client().resources(dev.lustrecsi.controller.snapshot.kubernetes.LustreSnapshot.class)
        .resource(dev.lustrecsi.controller.snapshot.kubernetes.SnapshotObjects.toObject(record, SimulatedCluster.NAMESPACE)).create();
    CreateVolumeRequest request = ControllerOnCluster.request("old-restored", Sizes.GIB, PARAMS).toBuilder()
        .setVolumeContentSource(VolumeContentSource.newBuilder()
            .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(FS + "@restcr-old"))).build();
    try {
      assertThat(controller.codeOf(() -> controller.csi().createVolume(request))).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
      assertThat(controller.records()).noneMatch(r -> r.getSpec().name().equals("old-restored"));
      assertThat(servers.namespace(FS).resolve(VolumeId.directoryFor("old-restored"))).doesNotExist();
      assertThat(servers.mountedSnapshots()).isEmpty();
    } finally {
      controller.asCo(() -> controller.csi().deleteSnapshot(csi.v1.DeleteSnapshotRequest.newBuilder().setSnapshotId(FS + "@restcr-old").build()));
    }
    assertThat(servers.allSnapshots()).noneMatch(s -> s.endsWith("@" + old));
  }

  @Test
  void aCloneRefusedForGoodAfterItsSnapshotWasMountedLeavesNothing() {
    // The OSS refuses to mount its piece for good, after the MDS mounted its own: the clone is
    // withdrawn, and what it held by then (the MDS's mount, its own snapshot) goes with it.
    SimulatedServers servers = controller.cluster.servers();
    servers.onCommand((server, argv) -> {
      if (server.contains("-oss") && argv.getFirst().equals("mount") && argv.contains("rdonly_dev")) {
        throw dev.lustrecsi.common.error.CsiException.failedPrecondition("the OSS refuses its piece (test)");
      }
    });
    try {
      assertThat(controller.codeOf(() -> controller.csi().createVolume(cloneOfSource("refused-clone"))))
          .isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
    } finally {
      servers.onCommand(null);
    }
    assertThat(controller.records()).noneMatch(r -> r.getSpec().name().equals("refused-clone"));
    assertThat(servers.namespace(FS).resolve(VolumeId.directoryFor("refused-clone"))).doesNotExist();
    assertThat(servers.mountedSnapshots()).isEmpty();
    assertThat(servers.allSnapshots()).noneMatch(s -> s.contains("lcsi-clone-"));
  }
}
