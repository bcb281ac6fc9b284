package dev.lustrecsi.sandbox.cluster;

import static dev.lustrecsi.sandbox.cluster.OstDrains.ost;
import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.DeleteVolumeRequest;
import csi.v1.Volume;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drain whose controller dies before every write it makes to the API server, one death per
 * write: each controller that starts is let make one write and is killed before its second. The
 * drain must still finish, and where an uninterrupted drain finishes: every file off the OST and
 * intact, the OST out of the configuration, its disk and its emptied OSS VM deleted, nothing else
 * touched. A death between an agent's step and the status write that records it makes the next
 * controller repeat the step, so this also shows every step may run twice.
 */
class OstDrainCrashTest {
  @TempDir Path dir;

  static final Map<String, String> PARAMS = Map.of("fsName", "dcrash", "ostSize", "10Gi", "maxOsts", "4", "ostsPerOss", "1");

  record Outcome(Map<String, String> state, int deaths, List<String> writes) {}

  /** A filesystem of three OSTs, files on them, then a drain of OST0001 down to two; {@code oneWritePerLife} kills as described. */
  private Outcome run(String name, boolean oneWritePerLife) throws IOException {
    Path runDir = Files.createDirectories(dir.resolve(name));
    // No periodic passes but the one each controller makes as it starts: the test drives the rest.
    try (ControllerOnCluster controller = new ControllerOnCluster(runDir, Duration.ofHours(1))) {
      Volume results = controller.create("dcrash-results", 12 * Sizes.GIB, PARAMS);
      Volume scratch = controller.create("dcrash-scratch", 12 * Sizes.GIB, PARAMS);
      OstDrains.writeFiles(controller, results, 16, 32 * 1024);
      controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(scratch.getVolumeId()).build()));
      OstDrains.await(Duration.ofSeconds(30), "three OSTs up and counted", () -> {
        passIgnoringDeath(controller);
        return controller.filesystem("dcrash").getStatus().targets().stream()
            .filter(t -> t.kind().equals("OST") && "Up".equals(t.state()) && t.usedBytes() != null).count() == 3;
      });
      assertThat(OstDrains.filesOn(controller, "dcrash", 1)).as("files on OST0001").isNotEmpty();
      Map<String, String> before = OstDrains.contents(controller, "dcrash");
      OstDrains.editSpec(controller.cluster.client(), "dcrash", spec -> spec.withDrain(List.of(1)).withOstCount(2).withDrainBatch(4));

      List<String> writes = new CopyOnWriteArrayList<>();
      // Each life after the first makes one write and dies before its second.
      ControllerKiller first = new ControllerKiller(oneWritePerLife ? 2 : Integer.MAX_VALUE, writes);
      controller.restart(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("kill", first)));
      ControllerKiller killer = first;
      int deaths = 0;
      Instant end = Instant.now().plus(Duration.ofMinutes(3));
      while (!drained(controller)) {
        assertThat(Instant.now()).as("the drain finished in time; writes so far %s", writes).isBefore(end);
        passIgnoringDeath(controller);
        if (killer.isDead()) {
          deaths++;
          ControllerKiller next = new ControllerKiller(2, writes);
          controller.restart(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("kill", next)));
          killer = next;
        }
      }
      assertThat(OstDrains.contents(controller, "dcrash")).as("every file, byte for byte").isEqualTo(before);
      return new Outcome(snapshot(controller), deaths, writes);
    }
  }

  private static boolean drained(ControllerOnCluster controller) {
    LustreFilesystem filesystem = controller.filesystem("dcrash");
    DrainStatus drain = ost(filesystem, 1).drain();
    return drain != null && DrainStatus.REMOVED.equals(drain.step()) && filesystem.getStatus().draining() == null
        && controller.cluster.client().genericKubernetesResources(KubeVirtSimulator.VMS).withName("dcrash-oss1").get() == null
        && controller.cluster.client().secrets().withName("dcrash-oss1-cloudinit").get() == null;
  }

  /** One reconcile pass; a controller that dies in it has done what it did. */
  private static void passIgnoringDeath(ControllerOnCluster controller) {
    try {
      controller.cluster.controller().reconciliations().reconcile("dcrash");
    } catch (RuntimeException e) {
      // The kill, seen as whatever the client wraps it in; the loop restarts the controller.
    }
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Map<String, String> snapshot(ControllerOnCluster controller) {
    Map<String, String> state = new TreeMap<>();
    LustreFilesystem filesystem = controller.filesystem("dcrash");
    state.put("targets", filesystem.getStatus().targets().stream()
        .map(t -> t.name() + "@" + t.server() + ":" + t.state() + (t.drain() == null ? "" : ":" + t.drain().step())).toList().toString());
    state.put("servers", filesystem.getStatus().servers().stream().map(s -> s.name() + ":" + s.state()).toList().toString());
    state.put("phase", filesystem.getStatus().phase());
    state.put("vms", controller.cluster.client().genericKubernetesResources(KubeVirtSimulator.VMS).list().getItems().stream()
        .map(vm -> vm.getMetadata().getName()).sorted().toList().toString());
    state.put("disks", controller.cluster.client().persistentVolumeClaims().list().getItems().stream()
        .map(pvc -> pvc.getMetadata().getName()).sorted().toList().toString());
    state.put("secrets", controller.cluster.client().secrets().list().getItems().stream()
        .map(s -> s.getMetadata().getName()).sorted().toList().toString());
    var servers = controller.cluster.servers().filesystem("dcrash").orElseThrow();
    state.put("files on OST0001", OstDrains.filesOn(controller, "dcrash", 1).toString());
    state.put("listed OSTs", servers.listedOsts().stream().map(t -> t.index()).toList().toString());
    state.put("deactivated", servers.deactivated().toString());
    state.put("deleted from the configuration", servers.deleted().toString());
    return state;
  }

  @Test
  void aDrainKilledBeforeEveryWriteFinishesWhereAnUninterruptedOneDoes() throws IOException {
    Outcome clean = run("clean", false);
    assertThat(clean.deaths()).isZero();
    assertThat(clean.state().get("files on OST0001")).isEqualTo("[]");
    assertThat(clean.state().get("deleted from the configuration")).isEqualTo("[1]");
    assertThat(clean.state().get("vms")).doesNotContain("dcrash-oss1");
    assertThat(clean.state().get("disks")).doesNotContain("dcrash-ost0001");

    Outcome crashed = run("crashed", true);
    assertThat(crashed.state()).as("killed before each of %s", crashed.writes()).isEqualTo(clean.state());
    // Every write but the first of each life was a death; Events lost with a controller are not made again.
    assertThat(crashed.deaths()).as("deaths, one before each write").isGreaterThan(10);
    assertThat(crashed.writes()).as("every kind of write the drain makes was survived")
        .containsAll(clean.writes().stream().filter(w -> !w.contains("events")).toList());
  }
}
