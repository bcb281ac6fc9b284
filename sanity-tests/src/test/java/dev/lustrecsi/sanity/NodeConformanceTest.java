package dev.lustrecsi.sanity;

import static dev.lustrecsi.sanity.Calls.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.NodeGetCapabilitiesRequest;
import csi.v1.NodeGetInfoRequest;
import csi.v1.NodeGetInfoResponse;
import csi.v1.NodeGetVolumeStatsRequest;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeServiceCapability;
import csi.v1.NodeServiceCapability.RPC.Type;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.NodeUnpublishVolumeRequest;
import csi.v1.NodeUnstageVolumeRequest;
import csi.v1.Volume;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** NodeGetCapabilities, NodeGetInfo, and how each node call treats bad or out-of-order requests. */
class NodeConformanceTest extends ConformanceTest {

  @Nested
  class GetCapabilitiesAndInfo {
    private List<Type> rpcTypes() {
      return target.node().nodeGetCapabilities(NodeGetCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList().stream()
          .map(NodeServiceCapability::getRpc).map(NodeServiceCapability.RPC::getType).toList();
    }

    @Test
    void advertisesStageUnstageAndVolumeStats() {
      assertThat(rpcTypes()).contains(Type.STAGE_UNSTAGE_VOLUME, Type.GET_VOLUME_STATS);
    }

    @Test
    void everyCapabilityIsAKnownRpc() {
      assertThat(target.node().nodeGetCapabilities(NodeGetCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList())
          .allSatisfy(c -> assertThat(c.hasRpc()).as("capability %s has an rpc type", c).isTrue());
      assertThat(rpcTypes()).doesNotContain(Type.UNKNOWN, Type.UNRECOGNIZED).doesNotHaveDuplicates();
    }

    @Test
    void nodeGetInfoReturnsANodeId() {
      NodeGetInfoResponse info = target.node().nodeGetInfo(NodeGetInfoRequest.getDefaultInstance());
      assertThat(info.getNodeId()).isNotBlank();
      assertThat(info.getNodeId().getBytes(StandardCharsets.UTF_8).length).as("node_id bytes").isLessThanOrEqualTo(256);
      assertThat(info.getMaxVolumesPerNode()).isNotNegative();
    }

    @Test
    void nodeGetInfoIsStable() {
      String first = target.node().nodeGetInfo(NodeGetInfoRequest.getDefaultInstance()).getNodeId();
      assertThat(target.node().nodeGetInfo(NodeGetInfoRequest.getDefaultInstance()).getNodeId()).isEqualTo(first);
    }
  }

  @Nested
  class MissingArguments {
    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"volume_id", "staging_target_path", "volume_capability"})
    void nodeStageVolume(String missing) {
      Volume volume = ws.createVolume();
      Path staging = ws.newStagingPath();
      NodeStageVolumeRequest.Builder request = ws.stageRequest(volume, staging);
      switch (missing) {
        case "volume_id" -> request.clearVolumeId();
        case "staging_target_path" -> request.clearStagingTargetPath();
        default -> request.clearVolumeCapability();
      }
      Status status = ws.nodeFailure(() -> target.node().nodeStageVolume(request.build()),
          "unstage " + volume.getVolumeId(), () -> ws.unstage(volume.getVolumeId(), staging));
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(MountInfo.isMountPoint(staging)).as("mounted at %s", staging).isFalse();
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"volume_id", "staging_target_path", "target_path", "volume_capability"})
    void nodePublishVolume(String missing) {
      Volume volume = ws.createVolume();
      Path staging = ws.stage(volume);
      Path targetPath = ws.newTargetPath();
      NodePublishVolumeRequest.Builder request = ws.publishRequest(volume, staging, targetPath);
      switch (missing) {
        case "volume_id" -> request.clearVolumeId();
        case "staging_target_path" -> request.clearStagingTargetPath();
        case "target_path" -> request.clearTargetPath();
        default -> request.clearVolumeCapability();
      }
      Status status = ws.nodeFailure(() -> target.node().nodePublishVolume(request.build()),
          "unpublish " + volume.getVolumeId(), () -> ws.unpublish(volume.getVolumeId(), targetPath));
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(MountInfo.isMountPoint(targetPath)).as("mounted at %s", targetPath).isFalse();
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"volume_id", "target_path"})
    void nodeUnpublishVolume(String missing) {
      Volume volume = ws.createVolume();
      Path staging = ws.stage(volume);
      Path targetPath = ws.publish(volume, staging);
      NodeUnpublishVolumeRequest.Builder request = NodeUnpublishVolumeRequest.newBuilder()
          .setVolumeId(volume.getVolumeId()).setTargetPath(targetPath.toString());
      if (missing.equals("volume_id")) {
        request.clearVolumeId();
      } else {
        request.clearTargetPath();
      }
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.node().nodeUnpublishVolume(request.build()));
      assertThat(MountInfo.isMountPoint(targetPath)).as("still published at %s", targetPath).isTrue();
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"volume_id", "staging_target_path"})
    void nodeUnstageVolume(String missing) {
      Volume volume = ws.createVolume();
      Path staging = ws.stage(volume);
      NodeUnstageVolumeRequest.Builder request = NodeUnstageVolumeRequest.newBuilder()
          .setVolumeId(volume.getVolumeId()).setStagingTargetPath(staging.toString());
      if (missing.equals("volume_id")) {
        request.clearVolumeId();
      } else {
        request.clearStagingTargetPath();
      }
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.node().nodeUnstageVolume(request.build()));
      assertThat(MountInfo.isMountPoint(staging)).as("still staged at %s", staging).isTrue();
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {"volume_id", "volume_path"})
    void nodeGetVolumeStats(String missing) {
      Volume volume = ws.createVolume();
      Path staging = ws.stage(volume);
      NodeGetVolumeStatsRequest.Builder request = NodeGetVolumeStatsRequest.newBuilder()
          .setVolumeId(volume.getVolumeId()).setVolumePath(staging.toString());
      if (missing.equals("volume_id")) {
        request.clearVolumeId();
      } else {
        request.clearVolumePath();
      }
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.node().nodeGetVolumeStats(request.build()));
    }
  }

  @Nested
  class OutOfOrderAndUnknown {
    @Test
    void publishBeforeStageIsFailedPrecondition() {
      Volume volume = ws.createVolume();
      Path staging = ws.newStagingPath();
      Path targetPath = ws.newTargetPath();
      Status status = ws.nodeFailure(() -> target.node().nodePublishVolume(ws.publishRequest(volume, staging, targetPath).build()),
          "unpublish " + volume.getVolumeId(), () -> ws.unpublish(volume.getVolumeId(), targetPath));
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(MountInfo.isMountPoint(targetPath)).isFalse();
    }

    @Test
    void stagingWithABlockCapabilityIsInvalidArgument() {
      Volume volume = ws.createVolume();
      Path staging = ws.newStagingPath();
      Status status = ws.nodeFailure(
          () -> target.node().nodeStageVolume(ws.stageRequest(volume, staging).setVolumeCapability(Capabilities.block()).build()),
          "unstage " + volume.getVolumeId(), () -> ws.unstage(volume.getVolumeId(), staging));
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void stagingADeletedVolumeIsNotFound() {
      Volume volume = ws.createVolume();
      ws.deleteVolume(volume.getVolumeId());
      Path staging = ws.newStagingPath();
      Status status = ws.nodeFailure(() -> target.node().nodeStageVolume(ws.stageRequest(volume, staging).build()),
          "unstage " + volume.getVolumeId(), () -> ws.unstage(volume.getVolumeId(), staging));
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(MountInfo.isMountPoint(staging)).isFalse();
    }

    @Test
    void unpublishAndUnstageOfPathsNeverUsedAreOk() {
      Volume volume = ws.createVolume();
      ws.unpublish(volume.getVolumeId(), ws.newTargetPath());
      ws.unstage(volume.getVolumeId(), ws.newStagingPath());
    }

    @Test
    void volumeStatsWhereNothingIsMountedIsNotFound() throws Exception {
      Volume volume = ws.createVolume();
      Path empty = ws.newStagingPath();
      Files.createDirectories(empty);
      for (Path path : List.of(empty, ws.dir().resolve("does-not-exist"))) {
        assertFails(Status.Code.NOT_FOUND, () -> target.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder()
            .setVolumeId(volume.getVolumeId()).setVolumePath(path.toString()).build()));
      }
    }
  }
}
