package dev.lustrecsi.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerGrpc;
import csi.v1.CreateVolumeRequest;
import csi.v1.NodeGrpc;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.Volume;
import csi.v1.VolumeCapability;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.node.mount.MountTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxTest {
  @TempDir Path dir;

  @AfterEach
  void leaveNoMounts() {
    Sandbox.unmountAllUnder(dir);
  }

  static VolumeCapability mount() {
    return VolumeCapability.newBuilder().setMount(VolumeCapability.MountVolume.getDefaultInstance())
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER)).build();
  }

  @Test
  void closeUnmountsStageAndPublishUnderAnExtraAllowedRootAndNothingElseThere(@TempDir Path co) throws Exception {
    Path foreign = Files.createDirectories(co.resolve("foreign"));
    Path foreignSource = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-foreign-source"));
    Path staging = co.resolve("staging/vol");
    Path published = co.resolve("pod/vol");
    try {
      try (Sandbox sandbox = Sandbox.start(dir.resolve("state"), Sandbox.freePort(), java.util.List.of(co));
          UnixSockets.Client c = UnixSockets.connect(sandbox.controllerEndpoint());
          UnixSockets.Client n = UnixSockets.connect(sandbox.nodeEndpoint())) {
        CreateVolumeRequest create = CreateVolumeRequest.newBuilder().setName("elsewhere")
            .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(Sizes.GIB)).addVolumeCapabilities(mount())
            .putAllParameters(Map.of("fsName", "away", "ostSize", "4Gi")).build();
        Volume volume = dev.lustrecsi.sandbox.co.CoRetry.DEFAULT.call(() -> ControllerGrpc.newBlockingStub(c.channel()).createVolume(create)).getVolume();
        var node = NodeGrpc.newBlockingStub(n.channel());
        node.nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
            .setStagingTargetPath(staging.toString()).setVolumeCapability(mount()).putAllVolumeContext(volume.getVolumeContextMap()).build());
        node.nodePublishVolume(csi.v1.NodePublishVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
            .setStagingTargetPath(staging.toString()).setTargetPath(published.toString()).setVolumeCapability(mount())
            .putAllVolumeContext(volume.getVolumeContextMap()).build());
        // Mounted there by someone else: not the sandbox's to undo.
        new dev.lustrecsi.node.mount.Mounter(new dev.lustrecsi.common.exec.ProcessCommandRunner()).bind(foreignSource, foreign, java.util.List.of());
        assertThat(MountTable.ofThisProcess().at(published)).isPresent();
      }
      assertThat(MountTable.ofThisProcess().entries()).as("the sandbox's mounts under the extra root")
          .noneMatch(m -> m.mountPoint().equals(staging) || m.mountPoint().equals(published));
      assertThat(MountTable.ofThisProcess().at(foreign)).as("a mount that is not the sandbox's").isPresent();
    } finally {
      Sandbox.unmountAllUnder(co);
      Files.deleteIfExists(foreignSource);
    }
  }

  @Test
  void theDemoRunsFromStartToFinish() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new dev.lustrecsi.sandbox.demo.Demo(dir, new PrintStream(out, true, StandardCharsets.UTF_8)).run();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("filesystem demo: 1 OSTs")
        .contains("filesystem demo: 4 OSTs")
        .contains("filesystem demo: 6 OSTs")
        .contains("read back 1.0 MiB, identical")
        .contains("bytes:  total 200 GiB")
        .contains("bytes:  total 600 GiB")
        .contains("stripe count 2, stripe size 1 MiB")
        .contains("server VMs: demo-mds0, demo-mgs, demo-oss0\n")
        .contains("server VMs: demo-mds0, demo-mgs, demo-oss0, demo-oss1\n")
        .contains("kubeconfig: ")
        // One Lustre snapshot on every target, then the group's beside it; the barrier thawed each time.
        .containsPattern("Lustre snapshots \\(ZFS snapshots per target\\): \\{lcsi-[-0-9a-f]+=(\\d+)\\} of \\1 targets; write barrier holds: false")
        .containsPattern("\\{lcsi-[-0-9a-f]+=(\\d+), lcsi-[-0-9a-f]+=\\1\\} of \\1 targets; write barrier holds: false")
        .contains("group demo@demo-nightly: 2 snapshots, ready: true")
        // The restore holds the file as it was at the snapshot, the clone as it was when cloned; both read through a pod's mount.
        .contains("volume demo/folding-results-restored restored from demo@folding-results-monday")
        .contains("identical to the content at the snapshot")
        .contains("volume demo/folding-results-clone cloned from demo/folding-results")
        .contains("identical to the content when it was cloned")
        .doesNotContain("MISMATCH")
        .contains("Lustre snapshots (ZFS snapshots per target): none of")
        .contains("demo finished");
    assertThat(MountTable.ofThisProcess().entries()).noneMatch(m -> m.mountPoint().startsWith(dir));
  }

  @Test
  void aVolumeIsProvisionedInVmsThenStagedWrittenAndMeasured() throws Exception {
    Path staging;
    try (Sandbox sandbox = Sandbox.start(dir);
        UnixSockets.Client c = UnixSockets.connect(sandbox.controllerEndpoint());
        UnixSockets.Client n = UnixSockets.connect(sandbox.nodeEndpoint())) {
      CreateVolumeRequest create = CreateVolumeRequest.newBuilder().setName("pvc-k")
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * Sizes.GIB)).addVolumeCapabilities(mount())
          .putAllParameters(Map.of("fsName", "kv", "ostSize", "4Gi")).build();
      Volume volume = dev.lustrecsi.sandbox.co.CoRetry.DEFAULT.call(() -> ControllerGrpc.newBlockingStub(c.channel()).createVolume(create)).getVolume();
      assertThat(volume.getVolumeContextMap()).containsEntry("mgsNids", "10.1.0.10@tcp");
      assertThat(dir.resolve("cluster/kubeconfig")).exists();

      staging = sandbox.kubeletDir().resolve("staging/pvc-k");
      var node = NodeGrpc.newBlockingStub(n.channel());
      node.nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setStagingTargetPath(staging.toString()).setVolumeCapability(mount()).putAllVolumeContext(volume.getVolumeContextMap()).build());
      Files.writeString(staging.resolve("result.dat"), "folding results");

      assertThat(sandbox.cluster().servers().namespace("kv").resolve("pvc-k/result.dat")).hasContent("folding results");
      var stats = node.nodeGetVolumeStats(csi.v1.NodeGetVolumeStatsRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setVolumePath(staging.toString()).build());
      assertThat(stats.getUsage(0).getTotal()).as("the project quota is the volume's size").isEqualTo(2 * Sizes.GIB);
      node.nodeUnstageVolume(csi.v1.NodeUnstageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setStagingTargetPath(staging.toString()).build());
      node.nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setStagingTargetPath(staging.toString()).setVolumeCapability(mount()).putAllVolumeContext(volume.getVolumeContextMap()).build());
    }
    assertThat(MountTable.ofThisProcess().at(staging)).as("closing the sandbox unmounts what its node plugin mounted").isEmpty();
  }
}
