package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.ControllerGrpc;
import csi.v1.CreateVolumeRequest;
import csi.v1.CreateVolumeResponse;
import csi.v1.DeleteVolumeRequest;
import csi.v1.CapacityRange;
import csi.v1.VolumeCapability;
import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.controller.ControllerPlugin;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller on the cluster path, end to end on this machine: CSI calls over a Unix socket,
 * the LustreFilesystem resource on an API server, the reconciler making VMs that the KubeVirt
 * simulator runs, real agents over mutual TLS on the simulated Lustre servers.
 */
class KubernetesPathTest {
  @TempDir Path dir;
  private SimulatedCluster cluster;
  private CsiServer controller;
  private UnixSockets.Client socket;
  private ControllerGrpc.ControllerBlockingStub csi;

  @BeforeEach
  void start() throws Exception {
    cluster = SimulatedCluster.start(dir, dev.lustrecsi.sandbox.Sandbox.freePort());
    controller = ControllerPlugin.start(Endpoint.of(dir.resolve("controller.sock")), cluster.controller());
    socket = UnixSockets.connect(controller.endpoint());
    csi = ControllerGrpc.newBlockingStub(socket.channel());
  }

  @AfterEach
  void stop() {
    socket.close();
    controller.close();
    cluster.close();
  }

  private static CreateVolumeRequest request(String name, long bytes, Map<String, String> parameters) {
    return CreateVolumeRequest.newBuilder().setName(name)
        .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(bytes))
        .addVolumeCapabilities(VolumeCapability.newBuilder()
            .setMount(VolumeCapability.MountVolume.getDefaultInstance())
            .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER)))
        .putAllParameters(parameters).build();
  }

  /** What the external-provisioner does: retry while the answer is UNAVAILABLE. */
  private CreateVolumeResponse createRetrying(CreateVolumeRequest request) {
    return dev.lustrecsi.sandbox.co.CoRetry.DEFAULT.call(() -> csi.createVolume(request));
  }

  @Test
  void createVolumeBringsUpServersInVmsThenGrowsByAnOstAndDeletes() throws Exception {
    Map<String, String> parameters = Map.of("fsName", "fs1", "ostSize", "10Gi", "maxOsts", "4", "ostsPerOss", "1");

    // The first calls find no servers, make them, and say to retry until their VMs and agents are up.
    CreateVolumeResponse first = createRetrying(request("pvc-1", 6L << 30, parameters));

    assertThat(first.getVolume().getVolumeId()).isEqualTo("fs1/pvc-1");
    assertThat(first.getVolume().getVolumeContextMap()).containsEntry("mgsNids", "10.1.0.10@tcp");
    LustreFilesystem filesystem = cluster.client().resources(LustreFilesystem.class).withName("fs1").get();
    assertThat(filesystem.getStatus().phase()).isEqualTo("Ready");
    assertThat(filesystem.getStatus().ostCount()).isEqualTo(1);
    assertThat(cluster.client().genericKubernetesResources(KubeVirtSimulator.VMS).list().getItems()).hasSize(3);
    Path volume = cluster.servers().namespace("fs1").resolve("pvc-1");
    assertThat(volume).isDirectory();
    assertThat(cluster.servers().filesystem("fs1").orElseThrow().blockLimitsKib()).containsValue(6L << 20);

    // 6 GiB committed of 10 GiB: another 6 GiB needs a second OST, on a second OSS (ostsPerOss 1).
    CreateVolumeResponse second = createRetrying(request("pvc-2", 6L << 30, parameters));

    assertThat(second.getVolume().getCapacityBytes()).isEqualTo(6L << 30);
    filesystem = cluster.client().resources(LustreFilesystem.class).withName("fs1").get();
    assertThat(filesystem.getStatus().ostCount()).isEqualTo(2);
    assertThat(filesystem.getStatus().committedBytes()).isEqualTo(12L << 30);
    assertThat(cluster.client().genericKubernetesResources(KubeVirtSimulator.VMS).list().getItems()).hasSize(4);

    csi.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId("fs1/pvc-1").build());
    assertThat(volume).doesNotExist();
    assertThat(Files.readString(cluster.kubeconfig())).contains("server: http://", "namespace: lustre-csi");
  }

  @Test
  void aStorageClassThatDisagreesWithTheFilesystemIsFailedPreconditionNamingTheParameter() throws Exception {
    createRetrying(request("pvc-1", 1L << 30, Map.of("fsName", "fs1", "ostSize", "10Gi", "serverCpu", "4")));

    assertThatThrownBy(() -> csi.createVolume(request("pvc-2", 1L << 30, Map.of("fsName", "fs1", "ostSize", "10Gi", "serverCpu", "8"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).startsWith("parameters.serverCpu: filesystem has 4, StorageClass asks for 8");
        });
  }
}
