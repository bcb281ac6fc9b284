package dev.lustrecsi.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerGrpc;
import csi.v1.CreateVolumeRequest;
import csi.v1.NodeGrpc;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.Volume;
import dev.lustrecsi.agent.metrics.AgentMetrics;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.common.metrics.CsiCallMetrics;
import dev.lustrecsi.common.metrics.Scrape;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.metrics.ControllerMetrics;
import dev.lustrecsi.node.metrics.NodeMetrics;
import dev.lustrecsi.sandbox.cluster.SimulatedCluster;
import dev.lustrecsi.sandbox.co.CoRetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every component's metrics, scraped over HTTP from a running sandbox (the production controller,
 * node plugin and agents) after a volume is provisioned, staged, published and written.
 */
class SandboxMetricsTest {
  @TempDir Path dir;

  @AfterEach
  void leaveNoMounts() {
    Sandbox.unmountAllUnder(dir);
  }

  @Test
  void eachComponentServesWhatTheDashboardShows() throws Exception {
    try (Sandbox sandbox = Sandbox.start(dir);
        UnixSockets.Client c = UnixSockets.connect(sandbox.controllerEndpoint());
        UnixSockets.Client n = UnixSockets.connect(sandbox.nodeEndpoint())) {
      CreateVolumeRequest create = CreateVolumeRequest.newBuilder().setName("pvc-m")
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * Sizes.GIB)).addVolumeCapabilities(SandboxTest.mount())
          .putAllParameters(Map.of("fsName", "mx", "ostSize", "4Gi")).build();
      Volume volume = CoRetry.DEFAULT.call(() -> ControllerGrpc.newBlockingStub(c.channel()).createVolume(create)).getVolume();
      Path staging = sandbox.kubeletDir().resolve("staging/pvc-m");
      Path pod = sandbox.kubeletDir().resolve("pods/p1/pvc-m");
      var node = NodeGrpc.newBlockingStub(n.channel());
      node.nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setStagingTargetPath(staging.toString()).setVolumeCapability(SandboxTest.mount()).putAllVolumeContext(volume.getVolumeContextMap()).build());
      node.nodePublishVolume(NodePublishVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setStagingTargetPath(staging.toString()).setTargetPath(pod.toString()).setVolumeCapability(SandboxTest.mount()).build());
      Files.write(pod.resolve("results.dat"), new byte[1 << 20]);
      sandbox.controllerMetrics().sampleVolumes();
      Map<String, String> mx = Map.of("filesystem", "mx");
      // The committed capacity is the status's, which the next periodic pass writes after the
      // volume's record: on a loaded machine that pass may come after the stage and publish above.
      java.time.Instant deadline = java.time.Instant.now().plusSeconds(20);
      Scrape controller = Scrape.of(sandbox.metrics().get("controller"));
      while (!controller.value(ControllerMetrics.FILESYSTEM_COMMITTED, mx).equals(java.util.Optional.of((double) (2 * Sizes.GIB)))
          && java.time.Instant.now().isBefore(deadline)) {
        Thread.sleep(200);
        controller = Scrape.of(sandbox.metrics().get("controller"));
      }
      assertThat(controller.value(ControllerMetrics.LEADER, Map.of())).contains(1.0);
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_OBJECT, Map.of("filesystem", "mx", "lustrefilesystem", "mx"))).contains(1.0);
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_PHASE, Map.of("filesystem", "mx", "phase", "Ready"))).contains(1.0);
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_PHASE, Map.of("filesystem", "mx", "phase", "Degraded"))).contains(0.0);
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_HEALTH, Map.of("filesystem", "mx", "health", "Healthy"))).contains(1.0);
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_OSTS, mx)).contains(1.0);
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_CAPACITY, mx)).hasValueSatisfying(v -> assertThat(v).isPositive());
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_CAPACITY_LIMIT, mx)).hasValueSatisfying(v -> assertThat(v).isPositive());
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_COMMITTED, mx)).contains((double) (2 * Sizes.GIB));
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_USED, mx)).isPresent();
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_SERVERS_UPGRADED, mx)).as("no upgrade ever: every server").hasValue(3.0);
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_UPGRADE_STALLED, mx)).hasValue(0.0);
      assertThat(controller.value(ControllerMetrics.FILESYSTEM_VOLUMES, mx)).contains(1.0);
      assertThat(controller.value(ControllerMetrics.TARGET_STATE,
          Map.of("filesystem", "mx", "target", "mx-OST0000", "kind", "OST", "state", "Up"))).contains(1.0);
      assertThat(controller.value(ControllerMetrics.TARGET_STATE,
          Map.of("filesystem", "mx", "target", "MGS", "state", "Down"))).contains(0.0);
      assertThat(controller.value(ControllerMetrics.SERVER_STATE, Map.of("filesystem", "mx", "server", "mx-mds0", "state", "Ready")))
          .contains(1.0);
      assertThat(controller.value(ControllerMetrics.OST_CAPACITY, Map.of("filesystem", "mx", "ost", "mx-OST0000")))
          .hasValueSatisfying(v -> assertThat(v).isPositive());
      assertThat(controller.value(ControllerMetrics.OST_USED, Map.of("filesystem", "mx", "ost", "mx-OST0000"))).isPresent();
      Map<String, String> pvc = Map.of("filesystem", "mx", "volume", "pvc-m");
      assertThat(controller.value(ControllerMetrics.VOLUME_QUOTA, pvc)).contains((double) (2 * Sizes.GIB));
      assertThat(controller.value(ControllerMetrics.VOLUME_USED, pvc)).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1 << 20));
      assertThat(controller.value(ControllerMetrics.VOLUME_INODES, pvc)).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
      assertThat(controller.value(ControllerMetrics.VOLUME_USAGE_OMITTED, Map.of())).contains(0.0);
      // Served from 0 for every filesystem, so that increase() counts the first withdrawal too.
      assertThat(controller.value(ControllerMetrics.ABANDONED_VOLUMES_WITHDRAWN + "_total", mx)).contains(0.0);
      assertThat(controller.value(ControllerMetrics.ABANDONED_SNAPSHOTS_WITHDRAWN + "_total", mx)).contains(0.0);
      assertThat(controller.value(CsiCallMetrics.CALL_DURATION + "_count", Map.of("method", "CreateVolume", "code", "OK"))).contains(1.0);

      Scrape nodeScrape = Scrape.of(sandbox.metrics().get("node"));
      assertThat(nodeScrape.value(NodeMetrics.FILESYSTEM_MOUNTS, Map.of())).contains(1.0);
      assertThat(nodeScrape.value(NodeMetrics.VOLUME_MOUNTS, mx)).as("staged and published").contains(2.0);
      assertThat(nodeScrape.value(NodeMetrics.FILESYSTEM_HEALTHY, mx)).contains(1.0);
      assertThat(nodeScrape.value(CsiCallMetrics.CALL_DURATION + "_count", Map.of("method", "NodeStageVolume", "code", "OK")))
          .contains(1.0);

      // The MDS's agent ran lfs quota for the volume's usage; every server's agent ran lctl for its health.
      assertThat(sandbox.metrics()).containsKeys("mx-mgs", "mx-mds0", "mx-oss0");
      Scrape mds = Scrape.of(sandbox.metrics().get("mx-mds0"));
      assertThat(mds.value(AgentMetrics.COMMAND_DURATION + "_count", Map.of("command", "lfs quota")))
          .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
      assertThat(mds.value(AgentMetrics.COMMAND_FAILURES, Map.of("command", "lfs quota"))).contains(0.0);
      Scrape oss = Scrape.of(sandbox.metrics().get("mx-oss0"));
      assertThat(oss.find(AgentMetrics.COMMAND_DURATION + "_count", Map.of())).extracting(s -> s.labels().get("command"))
          .contains("lctl get_param");
      // A healthy filesystem's agents count no failed command: LustreAgentCommandsFailing alerts on
      // any failure rate, so what runs on every health call must not fail on a server that is fine.
      for (String server : java.util.List.of("mx-mgs", "mx-mds0", "mx-oss0")) {
        assertThat(Scrape.of(sandbox.metrics().get(server)).find(AgentMetrics.COMMAND_FAILURES, Map.of()))
            .as("commands failing on %s's agent", server).isNotEmpty().allSatisfy(s -> assertThat(s.value()).as(s.labels().toString()).isZero());
      }

      // What the metrics show, kubectl shows at a glance: the Fill column.
      LustreFilesystem filesystem = sandbox.cluster().client().resources(LustreFilesystem.class).inNamespace(SimulatedCluster.NAMESPACE)
          .withName("mx").get();
      assertThat(filesystem.getStatus().fill()).matches("\\d{1,3}%");

      // A site's filesystem never grows: its limit is the OST capacity its agent reports, not NaN.
      sandbox.cluster().addExternalFilesystem("site", 3, 10 * Sizes.GIB);
      Map<String, String> site = Map.of("filesystem", "site");
      java.time.Instant siteDeadline = java.time.Instant.now().plusSeconds(30);
      Scrape scrape = Scrape.of(sandbox.metrics().get("controller"));
      while (!scrape.value(ControllerMetrics.FILESYSTEM_CAPACITY_LIMIT, site).equals(java.util.Optional.of((double) (30 * Sizes.GIB)))
          && java.time.Instant.now().isBefore(siteDeadline)) {
        Thread.sleep(200);
        scrape = Scrape.of(sandbox.metrics().get("controller"));
      }
      assertThat(scrape.value(ControllerMetrics.FILESYSTEM_CAPACITY_LIMIT, site)).contains((double) (30 * Sizes.GIB));
    }
  }
}
