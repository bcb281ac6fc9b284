package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.metrics.ControllerMetrics;
import dev.lustrecsi.controller.reconciler.VmiView;
import dev.lustrecsi.controller.servers.KubeVirt;
import io.fabric8.kubernetes.api.model.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new server image rolled onto a running filesystem on the one path: the controller replaces
 * the VMs one at a time, the KubeVirt simulator boots each again from the new image, its agent
 * comes back over mutual TLS, its targets mount from their disks and recover, and only then is
 * the next one replaced. Volumes made before are there after, and new ones can be made.
 */
class RollingUpgradeTest {
  private static final String NEW = "lustre-csi/lustre-server:2.16.2-sandbox";

  @TempDir Path dir;

  @Test
  void aNewImageIsRolledOntoEveryServerOneAtATimeAndTheFilesystemKeepsItsData() throws Exception {
    try (ControllerOnCluster controller = new ControllerOnCluster(dir, Duration.ofSeconds(1), Duration.ofSeconds(2));
        ControllerMetrics metrics = ControllerMetrics.start(controller.cluster.controller(),
            new ControllerMetrics.Settings(0, Duration.ofHours(1)))) {
      Map<String, String> params = Map.of("fsName", "roll", "ostSize", "10Gi");
      controller.create("pvc-before", Sizes.GIB, params);
      Path data = controller.cluster.servers().namespace("roll").resolve("pvc-before/result.dat");
      Files.writeString(data, "kept across the upgrade");

      var filesystems = controller.cluster.client().resources(LustreFilesystem.class).inNamespace(SimulatedCluster.NAMESPACE);
      LustreFilesystem fs = filesystems.withName("roll").get();
      LustreFilesystemSpec s = fs.getSpec();
      fs.setSpec(new LustreFilesystemSpec(s.fsName(), NEW, s.mgtSize(), s.mdtSize(), s.ostSize(), s.ostsPerOss(), s.ostCount(),
          s.maxOsts(), s.overcommit(), s.diskStorageClass(), s.serverCpu(), s.serverMemory(), s.lnetNetworks(), s.storageNetwork(),
          s.retention()));
      controller.cluster.kubevirt().holdShutdown("roll-oss0");  // a guest taking its time, to look at the window
      filesystems.resource(fs).update();

      // KubeVirt keeps the deleted instance while the guest shuts down: the agent has stopped and
      // the OST is unmounted, and the controller shows the server Stopping and replaces no other.
      var instances = controller.cluster.client().genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES)
          .inNamespace(SimulatedCluster.NAMESPACE);
      String oldOss = instances.withName("roll-oss0").get().getMetadata().getUid();
      long windowDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!stopping(filesystems.withName("roll").get().getStatus(), "roll-oss0") && System.nanoTime() < windowDeadline) {
        Thread.sleep(100);
      }
      assertThat(filesystems.withName("roll").get().getStatus().servers()).filteredOn(s1 -> s1.name().equals("roll-oss0"))
          .singleElement().extracting(LustreFilesystemStatus.ServerStatus::state).isEqualTo("Stopping");
      var shuttingDown = instances.withName("roll-oss0").get();
      assertThat(shuttingDown.getMetadata().getUid()).isEqualTo(oldOss);
      assertThat(shuttingDown.getMetadata().getDeletionTimestamp()).isNotNull();
      assertThat(controller.cluster.serverVms().serving()).doesNotContain("roll-oss0");
      assertThat(controller.cluster.servers().filesystem("roll").orElseThrow().targets())
          .filteredOn(t -> t.server().equals("roll-oss0")).allSatisfy(t -> assertThat(t.mounted()).as(t.name() + " mounted").isFalse());
      assertThat(List.of("roll-mgs", "roll-mds0")).allSatisfy(vm -> assertThat(instances.withName(vm).get().getMetadata()
          .getDeletionTimestamp()).as(vm + " deleted").isNull());
      controller.cluster.kubevirt().releaseShutdown("roll-oss0");

      List<String> order = new ArrayList<>();
      Set<String> upgradingSeries = new TreeSet<>();
      LustreFilesystemStatus status = null;
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (System.nanoTime() < deadline) {
        status = filesystems.withName("roll").get().getStatus();
        if (status.upgrade() != null && status.upgrade().server() != null && !order.contains(status.upgrade().server())) {
          order.add(status.upgrade().server());
        }
        upgradingSeries.addAll(upgradingServers(metrics));
        long notRunning = List.of("roll-mgs", "roll-mds0", "roll-oss0").stream()
            .filter(vm -> !controller.cluster.kubevirt().running().containsKey(vm)).count();
        assertThat(notRunning).as("server VMs down at once").isLessThanOrEqualTo(1);
        if (status.upgrade() != null && "Complete".equals(status.upgrade().state())) {
          break;
        }
        Thread.sleep(100);
      }

      assertThat(status.upgrade().state()).isEqualTo("Complete");
      assertThat(status.upgrade().progress()).isEqualTo("3/3");
      assertThat(order).containsExactly("roll-oss0", "roll-mds0", "roll-mgs");
      assertThat(upgradingSeries).as("lustre_csi_server_upgrading named each server while it was replaced")
          .containsExactlyInAnyOrder("roll-oss0", "roll-mds0", "roll-mgs");
      assertThat(upgradingServers(metrics)).as("and none once the upgrade is complete").isEmpty();
      for (String vm : List.of("roll-mgs", "roll-mds0", "roll-oss0")) {
        assertThat(VmiView.of(controller.cluster.client().genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES)
            .inNamespace(SimulatedCluster.NAMESPACE).withName(vm).get()).image()).as(vm).isEqualTo(NEW);
      }
      assertThat(controller.cluster.serverVms().serving()).containsExactlyInAnyOrder("roll-mgs", "roll-mds0", "roll-oss0");
      assertThat(status.phase()).isEqualTo("Ready");
      assertThat(data).hasContent("kept across the upgrade");
      assertThat(controller.cluster.client().v1().events().inNamespace(SimulatedCluster.NAMESPACE).list().getItems())
          .extracting(Event::getReason).contains("UpgradeStarted", "ServerUpgrading", "ServerUpgraded", "UpgradeComplete");
      assertThat(controller.create("pvc-after", Sizes.GIB, params).getCapacityBytes()).isEqualTo(Sizes.GIB);
    }
  }

  private static boolean stopping(LustreFilesystemStatus status, String server) {
    return status.servers().stream().anyMatch(s -> s.name().equals(server) && "Stopping".equals(s.state()));
  }

  /** The servers lustre_csi_server_upgrading has a series for. */
  private static List<String> upgradingServers(ControllerMetrics metrics) {
    return ControllerGauges.series(metrics, ControllerMetrics.SERVER_UPGRADING).stream()
        .filter(p -> p.getValue() == 1.0)
        .map(p -> p.getLabels().get("server"))
        .toList();
  }
}
