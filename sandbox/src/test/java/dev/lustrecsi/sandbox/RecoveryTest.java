package dev.lustrecsi.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerGrpc;
import csi.v1.CreateVolumeRequest;
import csi.v1.NodeGrpc;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.Volume;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.FilesystemCondition;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.sandbox.co.CoRetry;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An OSS VM dies while a pod writes to a volume through the node: KubeVirt restarts it, its
 * targets come back from their disks (imported, never formatted) on the same storage address,
 * Lustre recovers, and the filesystem goes Degraded (Recovering) then Ready. The writer keeps
 * going across the outage and every byte it wrote is there afterwards.
 *
 * <p>What the sandbox cannot show: a kernel Lustre client blocks the writer's I/O to the dead
 * OST until recovery ends; the sandbox's client mount is a bind mount of a local directory, so
 * here the writes go on throughout. The writer is still checked to write after the filesystem is
 * Ready again, and everything it wrote before, during and after to be intact.
 */
class RecoveryTest {
  @TempDir Path dir;

  @AfterEach
  void leaveNoMounts() {
    Sandbox.unmountAllUnder(dir);
  }

  /** One chunk the writer appends: 64 KiB, different for each index. */
  private static byte[] chunk(int index) {
    byte[] bytes = new byte[64 * 1024];
    new Random(index).nextBytes(bytes);
    return bytes;
  }

  private static byte[] sha256(byte[] bytes) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }

  @Test
  void anOssVmThatDiesWhileAVolumeIsWrittenComesBackAndNothingIsLost() throws Exception {
    try (Sandbox sandbox = Sandbox.start(dir);
        UnixSockets.Client c = UnixSockets.connect(sandbox.controllerEndpoint());
        UnixSockets.Client n = UnixSockets.connect(sandbox.nodeEndpoint())) {
      CreateVolumeRequest create = CreateVolumeRequest.newBuilder().setName("pvc-r")
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * Sizes.GIB)).addVolumeCapabilities(SandboxTest.mount())
          .putAllParameters(Map.of("fsName", "rec", "ostSize", "4Gi")).build();
      Volume volume = CoRetry.DEFAULT.call(() -> ControllerGrpc.newBlockingStub(c.channel()).createVolume(create)).getVolume();
      Path staging = sandbox.kubeletDir().resolve("staging/pvc-r");
      Path published = sandbox.kubeletDir().resolve("pods/writer/volumes/pvc-r");
      var node = NodeGrpc.newBlockingStub(n.channel());
      node.nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setStagingTargetPath(staging.toString()).setVolumeCapability(SandboxTest.mount())
          .putAllVolumeContext(volume.getVolumeContextMap()).build());
      node.nodePublishVolume(NodePublishVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setStagingTargetPath(staging.toString()).setTargetPath(published.toString()).setVolumeCapability(SandboxTest.mount())
          .putAllVolumeContext(volume.getVolumeContextMap()).build());

      var filesystems = sandbox.cluster().client().resources(LustreFilesystem.class).inNamespace("lustre-csi");
      LustreFilesystemStatus before = filesystems.withName("rec").get().getStatus();
      assertThat(before.phase()).isEqualTo("Ready");
      String ossAddress = before.servers().stream().filter(s -> s.name().equals("rec-oss0")).findFirst().orElseThrow().address();
      String ossInstance = sandbox.cluster().kubevirt().running().get("rec-oss0");

      // The pod: appends a chunk, flushes it to the filesystem, and again, until told to stop.
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger written = new AtomicInteger();
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      Thread writer = Thread.ofPlatform().name("pod-writer").start(() -> {
        try (FileOutputStream out = new FileOutputStream(published.resolve("data.bin").toFile())) {
          while (!stop.get()) {
            byte[] bytes = chunk(written.get());
            out.write(bytes);
            out.getFD().sync();
            expected.write(bytes);
            written.incrementAndGet();
            Thread.sleep(50);
          }
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      while (written.get() < 5) {
        Thread.sleep(20);
      }

      sandbox.cluster().kubevirt().fail("rec-oss0");  // its node dies

      List<String> phases = new ArrayList<>();
      List<String> recovering = new ArrayList<>();
      int writtenWhenReady = -1;
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (System.nanoTime() < deadline) {
        LustreFilesystemStatus status = filesystems.withName("rec").get().getStatus();
        if (phases.isEmpty() || !phases.getLast().equals(status.phase())) {
          phases.add(status.phase());
        }
        status.conditions().stream().filter(cond -> cond.type().equals("Recovering")).findFirst()
            .map(cond -> cond.status() + " " + cond.reason())
            .filter(r -> recovering.isEmpty() || !recovering.getLast().equals(r)).ifPresent(recovering::add);
        if (phases.contains("Degraded") && "Ready".equals(status.phase())) {
          writtenWhenReady = written.get();
          break;
        }
        Thread.sleep(100);
      }
      assertThat(phases).as("phases after the OSS died").containsSubsequence("Degraded", "Ready");
      assertThat(recovering).as("the Recovering condition").contains("True TargetsRecovering").last().isEqualTo("False NoRecovery");

      // The write resumes after recovery: the writer is still writing once the filesystem is Ready again.
      int resumedFrom = writtenWhenReady;
      while (written.get() < resumedFrom + 5) {
        Thread.sleep(20);
      }
      stop.set(true);
      writer.join();

      LustreFilesystemStatus after = filesystems.withName("rec").get().getStatus();
      assertThat(after.servers()).filteredOn(s -> s.name().equals("rec-oss0")).extracting(ServerStatus::address)
          .as("the OSS keeps its storage address").containsExactly(ossAddress);
      assertThat(sandbox.cluster().kubevirt().running().get("rec-oss0")).as("a new instance").isNotEqualTo(ossInstance);
      assertThat(after.conditions()).filteredOn(cond -> cond.type().equals("Ready")).extracting(FilesystemCondition::status)
          .containsExactly("True");
      byte[] wanted = sha256(expected.toByteArray());
      assertThat(sha256(Files.readAllBytes(published.resolve("data.bin")))).as("read back in the pod").isEqualTo(wanted);
      assertThat(sha256(Files.readAllBytes(sandbox.cluster().servers().namespace("rec").resolve("pvc-r/data.bin"))))
          .as("on the servers").isEqualTo(wanted);
      assertThat(Files.size(published.resolve("data.bin"))).isEqualTo(64L * 1024 * written.get());
    }
  }

  /**
   * The MDS VM dies: CreateVolume answers UNAVAILABLE with the reason (the provisioner retries and
   * `kubectl describe pvc` shows it), volumes already mounted on the node stay mounted, and once
   * the MDS is back the retried call succeeds.
   */
  @Test
  void whileTheMdsIsDownCreateVolumeIsUnavailableWithTheReasonAndNodeMountsStay() throws Exception {
    try (Sandbox sandbox = Sandbox.start(dir);
        UnixSockets.Client c = UnixSockets.connect(sandbox.controllerEndpoint());
        UnixSockets.Client n = UnixSockets.connect(sandbox.nodeEndpoint())) {
      var controller = ControllerGrpc.newBlockingStub(c.channel());
      Map<String, String> params = Map.of("fsName", "mdsdown", "ostSize", "4Gi");
      CreateVolumeRequest first = CreateVolumeRequest.newBuilder().setName("pvc-1")
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(Sizes.GIB)).addVolumeCapabilities(SandboxTest.mount())
          .putAllParameters(params).build();
      Volume volume = CoRetry.DEFAULT.call(() -> controller.createVolume(first)).getVolume();
      Path staging = sandbox.kubeletDir().resolve("staging/pvc-1");
      NodeGrpc.newBlockingStub(n.channel()).nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setStagingTargetPath(staging.toString()).setVolumeCapability(SandboxTest.mount())
          .putAllVolumeContext(volume.getVolumeContextMap()).build());
      Files.writeString(staging.resolve("before.txt"), "written before the MDS died");

      sandbox.cluster().kubevirt().fail("mdsdown-mds0");
      var filesystems = sandbox.cluster().client().resources(LustreFilesystem.class).inNamespace("lustre-csi");
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"Degraded".equals(filesystems.withName("mdsdown").get().getStatus().phase()) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      CreateVolumeRequest second = first.toBuilder().setName("pvc-2").build();
      var refused = org.assertj.core.api.Assertions.catchThrowableOfType(io.grpc.StatusRuntimeException.class,
          () -> controller.createVolume(second));

      assertThat(refused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
      assertThat(refused.getStatus().getDescription()).contains("filesystem mdsdown is not ready", "Degraded", "mdsdown-MDT0000");
      assertThat(dev.lustrecsi.node.mount.MountTable.ofThisProcess().at(staging)).as("the node's mount of the volume").isPresent();
      assertThat(staging.resolve("before.txt")).hasContent("written before the MDS died");

      Volume after = CoRetry.DEFAULT.call(() -> controller.createVolume(second)).getVolume();
      assertThat(after.getCapacityBytes()).isEqualTo(Sizes.GIB);
      assertThat(filesystems.withName("mdsdown").get().getStatus().phase()).isEqualTo("Ready");
    }
  }
}
