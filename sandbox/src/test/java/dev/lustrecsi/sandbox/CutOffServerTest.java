package dev.lustrecsi.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerGrpc;
import csi.v1.CreateVolumeRequest;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.sandbox.co.CoRetry;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An OSS's node is cut off, not dead: its VM keeps running and writing its pool while KubeVirt
 * starts another instance elsewhere with the same disks (after a force-detach, an out-of-service
 * taint, a pod force-deleted). The new instance must not import the pool the old one still
 * writes: the OST stays down and the filesystem Degraded. Once the old instance is gone, the new
 * one's next setup pass imports and mounts it, and the filesystem is Ready again by itself.
 */
class CutOffServerTest {
  @TempDir Path dir;

  @AfterEach
  void leaveNoMounts() {
    Sandbox.unmountAllUnder(dir);
  }

  @Test
  void aNewInstanceLeavesAPoolTheCutOffInstanceStillWritesUntilThatInstanceIsGone() throws Exception {
    try (Sandbox sandbox = Sandbox.start(dir);
        UnixSockets.Client c = UnixSockets.connect(sandbox.controllerEndpoint())) {
      CreateVolumeRequest create = CreateVolumeRequest.newBuilder().setName("pvc-c")
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(Sizes.GIB)).addVolumeCapabilities(SandboxTest.mount())
          .putAllParameters(Map.of("fsName", "cut", "ostSize", "4Gi")).build();
      CoRetry.DEFAULT.call(() -> ControllerGrpc.newBlockingStub(c.channel()).createVolume(create));
      var filesystems = sandbox.cluster().client().resources(LustreFilesystem.class).inNamespace("lustre-csi");
      assertThat(filesystems.withName("cut").get().getStatus().phase()).isEqualTo("Ready");
      SimulatedServers servers = sandbox.cluster().servers();
      String oldInstance = sandbox.cluster().kubevirt().running().get("cut-oss0");

      servers.serverCutOff("cut-oss0");
      sandbox.cluster().kubevirt().fail("cut-oss0");  // KubeVirt gives up on the node and starts another instance

      awaitPhase(filesystems, "Degraded");
      long until = System.nanoTime() + 5_000_000_000L;
      while (System.nanoTime() < until) {
        assertThat(ost0(servers).mounted()).as("the OST the old instance still writes is not imported by the new one").isFalse();
        Thread.sleep(100);
      }
      assertThat(sandbox.cluster().kubevirt().running().get("cut-oss0")).as("a new instance runs").isNotNull().isNotEqualTo(oldInstance);
      assertThat(sandbox.cluster().serverVms().serving()).contains("cut-oss0");
      assertThat(filesystems.withName("cut").get().getStatus().phase()).isEqualTo("Degraded");

      servers.cutOffInstanceGone("cut-oss0");  // its node came back and stopped it, or it was fenced

      awaitPhase(filesystems, "Ready");
      assertThat(ost0(servers).mounted()).isTrue();
    }
  }

  private static SimulatedServers.Target ost0(SimulatedServers servers) {
    return servers.targets("cut").stream().filter(t -> t.kind() == TargetKind.OST && t.index() == 0).findFirst().orElseThrow();
  }

  private static void awaitPhase(io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<LustreFilesystem, ?, io.fabric8.kubernetes.client.dsl.Resource<LustreFilesystem>> filesystems, String phase) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (!phase.equals(filesystems.withName("cut").get().getStatus().phase())) {
      assertThat(System.nanoTime()).as("phase %s; now %s", phase, filesystems.withName("cut").get().getStatus().phase()).isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
