package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerExpandVolumeRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.Volume;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.volume.kubernetes.LustreVolume;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
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
 * The crash test of {@link ProvisioningCrashTest}, on a filesystem the site runs: a controller
 * killed before each of its API writes while it creates, expands and deletes volumes there, then
 * restarted with the CO retrying, ends where an uninterrupted run ends, with nothing leaked: no
 * record, directory or quota beyond the volumes that exist, no id outside the site's range, and
 * never a VM or disk.
 */
class ExternalProvisioningCrashTest {
  @TempDir Path dir;

  static final Map<String, String> PARAMS = Map.of("fsName", "xcrash");
  static final String ROOT = "k8s";

  private static List<Consumer<ControllerOnCluster>> scenario() {
    Map<String, Volume> made = new HashMap<>();
    return List.of(
        c -> made.put("results", c.create("results", 4 * Sizes.GIB, PARAMS)),
        c -> made.put("scratch", c.create("scratch", 6 * Sizes.GIB, PARAMS)),
        c -> c.asCo(() -> c.csi().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
            .setVolumeId(made.get("results").getVolumeId()).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(8 * Sizes.GIB)).build())),
        c -> c.asCo(() -> c.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(made.get("scratch").getVolumeId()).build())),
        c -> made.put("logs", c.create("logs", Sizes.GIB, PARAMS)));
  }

  record Outcome(Map<String, String> state, int writes, boolean killed, List<String> writesBeforeTheKill) {}

  private Outcome run(int killAt) throws IOException {
    Path runDir = Files.createDirectories(dir.resolve("run-" + killAt));
    try (ControllerOnCluster controller = new ControllerOnCluster(runDir, Duration.ofHours(1))) {
      ExternalSite site = controller.cluster.startExternalSite("xcrash", 2, 10 * Sizes.GIB);
      LustreFilesystem filesystem = new LustreFilesystem();
      filesystem.setMetadata(new ObjectMetaBuilder().withName("xcrash").withNamespace(SimulatedCluster.NAMESPACE).build());
      filesystem.setSpec(site.spec(ROOT, null, 7000, 7999));
      controller.cluster.client().resources(LustreFilesystem.class).resource(filesystem).create();

      ControllerKiller killer = new ControllerKiller(killAt);
      boolean killed = controller.runKilledOnce(killer, scenario());
      return new Outcome(snapshot(controller, site), killer.steps(), killed, killer.seen());
    }
  }

  private static Map<String, String> snapshot(ControllerOnCluster controller, ExternalSite site) throws IOException {
    Map<String, String> state = new TreeMap<>();
    SimulatedServers.Filesystem servers = controller.cluster.servers().filesystem("xcrash").orElseThrow();
    for (LustreVolume record : controller.records()) {
      var spec = record.getSpec();
      var project = servers.projects().get(spec.directory());
      state.put("volume/" + spec.name(), spec.directory() + " " + spec.capacity() + " " + spec.state()
          + " project matches record: " + (project != null && project.id() == spec.projectId())
          + " in range: " + (spec.projectId() >= 7000 && spec.projectId() <= 7999)
          + " quota: " + (project == null ? null : Sizes.format(servers.blockLimitsKib().getOrDefault(project.id(), 0L) * Sizes.KIB)));
    }
    try (Stream<Path> entries = Files.list(site.mount().resolve(ROOT))) {
      state.put("directories", entries.map(p -> p.getFileName().toString()).sorted().toList().toString());
    }
    state.put("quota entries", Integer.toString(servers.blockLimitsKib().size()));
    state.put("quota ids in range", Boolean.toString(servers.blockLimitsKib().keySet().stream().allMatch(id -> id >= 7000 && id <= 7999)));
    LustreFilesystem filesystem = controller.filesystem("xcrash");
    // Each run's agent listens on a port of its own.
    state.put("spec", io.fabric8.kubernetes.client.utils.Serialization.asJson(filesystem.getSpec()).replace(site.agentAddress(), "AGENT"));
    state.put("status/targets", filesystem.getStatus().targets().stream().map(t -> t.name() + ":" + t.state()).toList().toString());
    state.put("vms", controller.cluster.client().genericKubernetesResources(KubeVirtSimulator.VMS).list().getItems().toString());
    state.put("disks", controller.cluster.client().persistentVolumeClaims().list().getItems().toString());
    return state;
  }

  @Test
  void killedBeforeAnyWriteAndRestartedConvergesWithNothingLeaked() throws IOException {
    Outcome clean = run(0);
    assertThat(clean.killed()).isFalse();
    assertThat(clean.state()).containsKeys("volume/results", "volume/logs").doesNotContainKey("volume/scratch");
    assertThat(clean.state().get("volume/results")).contains("8 GiB READY").contains("project matches record: true in range: true quota: 8 GiB");
    assertThat(clean.state().get("directories")).isEqualTo("[logs, results]");
    assertThat(clean.state().get("quota entries")).isEqualTo("2");
    assertThat(clean.state().get("vms")).isEqualTo("[]");
    assertThat(clean.state().get("disks")).isEqualTo("[]");
    assertThat(clean.writes()).as("the clean run's writes: one kill point each").isGreaterThan(8);

    int killAt = 1;
    while (true) {
      Outcome recovered = run(killAt);
      assertThat(recovered.state()).as("killed before write %d, after %s", killAt, recovered.writesBeforeTheKill()).isEqualTo(clean.state());
      if (!recovered.killed()) {
        break;
      }
      killAt++;
    }
    assertThat(killAt).as("kill points tried").isGreaterThan(8);
  }
}
