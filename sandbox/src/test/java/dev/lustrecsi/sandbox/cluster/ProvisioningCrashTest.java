package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerExpandVolumeRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.Volume;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.volume.kubernetes.LustreVolume;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller killed before each write it makes to the API server while it provisions a
 * filesystem, creates volumes, grows it for them, expands one (growing it again) and deletes volumes, then restarted with the CO retrying
 * every call, ends where a run that was never interrupted ends: the same volume records, each
 * directory with its project and a quota of its capacity, the same OSTs and server VMs, and
 * nothing else: no directory, quota or record leaked. Project ids may differ (a claimed block is
 * skipped after a crash, never reused).
 */
class ProvisioningCrashTest {
  @TempDir Path dir;

  static final Map<String, String> PARAMS = Map.of("fsName", "crash", "ostSize", "10Gi", "maxOsts", "4", "ostsPerOss", "1",
      "directoryUid", "1000", "directoryGid", "3000", "directoryMode", "2770");

  /**
   * What the CO asks for, step by step: a filesystem comes up, grows, a volume grows, one goes,
   * another comes. After a crash the CO calls the step that failed again and goes on, as the
   * provisioner and resizer retry the operation they were doing.
   */
  private static List<Consumer<ControllerOnCluster>> scenario() {
    Map<String, Volume> made = new HashMap<>();
    return List.of(
        c -> made.put("results", c.create("results", 4 * Sizes.GIB, PARAMS)),
        c -> made.put("scratch", c.create("scratch", 12 * Sizes.GIB, PARAMS)),  // a second OST, on a second OSS
        c -> c.asCo(() -> c.csi().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
            .setVolumeId(made.get("results").getVolumeId()).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(12 * Sizes.GIB)).build())),  // a third OST
        c -> c.asCo(() -> c.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(made.get("scratch").getVolumeId()).build())),
        c -> made.put("logs", c.create("logs", Sizes.GIB, PARAMS)));
  }

  record Outcome(Map<String, String> state, int writes, boolean killed, java.util.List<String> writesBeforeTheKill) {}

  private Outcome run(int killAt) throws IOException {
    Path runDir = Files.createDirectories(dir.resolve("run-" + killAt));
    // No periodic passes: every write the controller makes comes from a CSI call.
    try (ControllerOnCluster controller = new ControllerOnCluster(runDir, Duration.ofHours(1))) {
      ControllerKiller killer = new ControllerKiller(killAt);
      boolean killed = controller.runKilledOnce(killer, scenario());
      return new Outcome(snapshot(controller), killer.steps(), killed, killer.seen());
    }
  }

  /** Everything that must match, by kind and name; nothing may exist beyond it. */
  private static Map<String, String> snapshot(ControllerOnCluster controller) throws IOException {
    Map<String, String> state = new TreeMap<>();
    SimulatedServers.Filesystem servers = controller.cluster.servers().filesystem("crash").orElseThrow();
    Path namespace = controller.cluster.servers().namespace("crash");
    for (LustreVolume record : controller.records()) {
      var spec = record.getSpec();
      var project = servers.projects().get(spec.directory());
      state.put("volume/" + spec.name(), spec.directory() + " " + spec.capacity() + " " + spec.state() + " " + spec.striping()
          + " project matches record: " + (project != null && project.id() == spec.projectId())
          + " quota: " + (project == null ? null : Sizes.format(servers.blockLimitsKib().getOrDefault(project.id(), 0L) * Sizes.KIB))
          + " owner: " + (Files.isDirectory(namespace.resolve(spec.directory()))
              ? ProvisioningTest.ownerAndMode(namespace.resolve(spec.directory())) : "no directory"));
    }
    try (Stream<Path> entries = Files.list(namespace)) {
      state.put("directories", entries.map(p -> p.getFileName().toString()).sorted().toList().toString());
    }
    state.put("quota entries", Integer.toString(servers.blockLimitsKib().size()));
    LustreFilesystem filesystem = controller.filesystem("crash");
    state.put("spec", Serialization.asJson(filesystem.getSpec()));
    state.put("status/servers", Serialization.asJson(filesystem.getStatus().servers()));
    state.put("status/targets", filesystem.getStatus().targets().stream().map(t -> t.name() + "@" + t.server() + ":" + t.state()).toList().toString());
    state.put("vms", controller.cluster.client().genericKubernetesResources(KubeVirtSimulator.VMS).list().getItems().stream()
        .map(vm -> vm.getMetadata().getName()).sorted().toList().toString());
    state.put("disks", controller.cluster.client().persistentVolumeClaims().list().getItems().stream()
        .map(pvc -> pvc.getMetadata().getName()).sorted().toList().toString());
    return state;
  }

  @Test
  void killedBeforeAnyWriteAndRestartedConvergesToTheStateOfAnUninterruptedRun() throws IOException {
    Outcome clean = run(0);
    assertThat(clean.killed()).isFalse();
    assertThat(clean.state()).containsKeys("volume/results", "volume/logs").doesNotContainKey("volume/scratch");
    assertThat(clean.state().get("volume/results")).contains("12 GiB READY").contains("project matches record: true quota: 12 GiB")
        .endsWith("owner: 1000:3000 2770");
    assertThat(clean.state().get("spec")).contains("\"ostCount\":3");
    assertThat(clean.state().get("quota entries")).isEqualTo("2");
    assertThat(clean.writes()).as("the clean run's writes: one kill point each").isGreaterThan(20);

    // How many writes a run makes depends on how soon the simulated VMs come up (each retry of the
    // CO's is a reconcile pass): kill before write 1, 2, 3, ... until a run makes fewer writes than that.
    int killAt = 1;
    while (true) {
      Outcome recovered = run(killAt);
      assertThat(recovered.state()).as("killed before write %d, after %s", killAt, recovered.writesBeforeTheKill()).isEqualTo(clean.state());
      if (!recovered.killed()) {
        break;
      }
      killAt++;
    }
    assertThat(killAt).as("kill points tried").isGreaterThan(20);
  }
}
