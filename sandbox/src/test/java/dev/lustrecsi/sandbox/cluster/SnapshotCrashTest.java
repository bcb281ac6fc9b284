package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CreateSnapshotRequest;
import csi.v1.CreateVolumeGroupSnapshotRequest;
import csi.v1.DeleteVolumeGroupSnapshotRequest;
import csi.v1.GroupControllerGrpc;
import csi.v1.DeleteSnapshotRequest;
import csi.v1.Volume;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.snapshot.kubernetes.LustreSnapshot;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller killed at each step of taking and deleting snapshots, then restarted with the CO
 * retrying the call, leaves what a run that was never interrupted leaves: the same snapshot
 * records, each READY on a Lustre snapshot that every target holds, no other ZFS snapshot on any
 * target (no half snapshot, nothing leaked), and the barrier not holding. The steps are every
 * write to the API server and every command that changes the servers (barrier freeze and thaw,
 * zfs snapshot and destroy, lctl fork_lcfg and erase_lcfg); the controller dies just before it, so
 * the command never runs.
 */
class SnapshotCrashTest {
  @TempDir static Path dir;
  static ControllerOnCluster controller;
  static Volume v1;
  static Volume v2;
  static final String FS = "snapcr";
  /** Commands that change a server: the barrier, ZFS snapshots, and the configuration logs forked for a snapshot's own fsname. */
  static final Set<String> CHANGING = Set.of("barrier_freeze", "barrier_thaw", "snapshot", "destroy", "fork_lcfg", "erase_lcfg");

  @BeforeAll
  static void start() throws Exception {
    // No periodic passes: every write and command comes from a CSI call.
    controller = new ControllerOnCluster(dir, Duration.ofHours(1));
    Map<String, String> params = Map.of("fsName", FS, "ostSize", "10Gi", "maxOsts", "4");
    v1 = controller.create("snapcr-v1", Sizes.GIB, params);
    v2 = controller.create("snapcr-v2", Sizes.GIB, params);
  }

  @AfterAll
  static void stop() {
    controller.cluster.servers().onCommand(null);
    controller.close();
  }

  /** A server command of the controller's, through its agent: one step when it changes something. */
  private static void command(ControllerKiller killer, String server, List<String> argv) {
    String what = server + ": " + String.join(" ", argv);
    if (argv.size() > 1 && CHANGING.contains(argv.get(1))) {
      killer.step(what);
    } else {
      killer.alive(what);
    }
  }

  /** The CO's calls: two snapshots, one deleted, a third taken, a group of both volumes; names are the run's own. */
  private static List<Consumer<ControllerOnCluster>> scenario(String run) {
    return List.of(
        c -> snapshot(c, run + "-a", v1),
        c -> snapshot(c, run + "-b", v2),
        c -> c.asCo(() -> c.csi().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(FS + "@" + run + "-a").build())),
        c -> snapshot(c, run + "-c", v1),
        c -> c.asCo(() -> GroupControllerGrpc.newBlockingStub(c.channel()).createVolumeGroupSnapshot(CreateVolumeGroupSnapshotRequest
            .newBuilder().setName(run + "-g").addSourceVolumeIds(v1.getVolumeId()).addSourceVolumeIds(v2.getVolumeId()).build())));
  }

  private static void snapshot(ControllerOnCluster c, String name, Volume source) {
    c.asCo(() -> c.csi().createSnapshot(CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(source.getVolumeId()).build()));
  }

  record Outcome(Map<String, String> state, int steps, boolean killed, List<String> stepsBeforeTheKill) {}

  private static Outcome run(int killAt) {
    String run = "r" + killAt;
    ControllerKiller killer = new ControllerKiller(killAt);
    boolean killed = controller.runKilledOnce(killer, (server, argv) -> command(killer, server, argv), scenario(run),
        step -> step.accept(controller), step -> step.accept(controller));
    Outcome outcome = new Outcome(state(run), killer.steps(), killed, killer.seen());
    controller.restart();
    for (String left : List.of(run + "-b", run + "-c")) {
      controller.asCo(() -> controller.csi().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(FS + "@" + left).build()));
    }
    controller.asCo(() -> GroupControllerGrpc.newBlockingStub(controller.channel()).deleteVolumeGroupSnapshot(
        DeleteVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId(FS + "@" + run + "-g").build()));
    assertThat(controller.cluster.servers().allSnapshots()).as("clean-up of run %s", run).isEmpty();
    assertThat(controller.cluster.servers().forkedConfigurations()).as("forked configurations left by run %s", run).isEmpty();
    return outcome;
  }

  /** Records by name with their source and state, how many targets hold each record's Lustre snapshot, what else exists. */
  private static Map<String, String> state(String run) {
    Map<String, String> state = new TreeMap<>();
    SimulatedServers servers = controller.cluster.servers();
    Map<String, Long> piecesBySnapshot = servers.allSnapshots().stream()
        .collect(Collectors.groupingBy(s -> s.substring(s.indexOf('@') + 1), Collectors.counting()));
    Map<String, Long> unclaimed = new HashMap<>(piecesBySnapshot);
    for (LustreSnapshot record : controller.cluster.client().resources(LustreSnapshot.class).list().getItems()) {
      var spec = record.getSpec();
      String name = spec.name().substring(run.length()) + (spec.groupSnapshot() == null ? "" : " in group " + spec.groupSnapshot().substring(run.length()));
      unclaimed.remove(spec.lustreSnapshot());
      state.put("snapshot " + name, spec.sourceDirectory() + " " + spec.state() + " " + spec.size() + " created: " + (spec.creationSeconds() > 0)
          + " pieces: " + piecesBySnapshot.getOrDefault(spec.lustreSnapshot(), 0L));
    }
    state.put("targets", Integer.toString(servers.targets(FS).size()));
    state.put("ZFS snapshots no record names", unclaimed.toString());
    state.put("barrier holds", Boolean.toString(servers.frozen(FS)));
    state.put("forked configurations", Integer.toString(servers.forkedConfigurations().size()));
    return state;
  }

  @Test
  void killedAtAnyStepAndRestartedLeavesWholeSnapshotsOrNone() {
    Outcome clean = run(0);
    assertThat(clean.killed()).isFalse();
    assertThat(clean.state()).containsKeys("snapshot -b", "snapshot -c").doesNotContainKey("snapshot -a");
    assertThat(clean.state().keySet()).filteredOn(k -> k.contains("in group -g")).as("the group's members").hasSize(2);
    assertThat(clean.state().get("snapshot -b")).startsWith("snapcr-v2 READY 1 GiB created: true pieces: " + clean.state().get("targets"));
    assertThat(clean.state().get("ZFS snapshots no record names")).isEqualTo("{}");
    assertThat(clean.steps()).as("the clean run's steps: one kill point each").isGreaterThan(15);

    int killAt = 1;
    while (true) {
      Outcome recovered = run(killAt);
      assertThat(recovered.state()).as("killed before step %d, after %s", killAt, recovered.stepsBeforeTheKill()).isEqualTo(clean.state());
      if (!recovered.killed()) {
        break;
      }
      killAt++;
    }
    assertThat(killAt).as("kill points tried").isGreaterThan(15);
  }
}
