package dev.lustrecsi.sanity;

import static dev.lustrecsi.sanity.Calls.assertFails;
import static dev.lustrecsi.sanity.Workspace.GIB;
import static dev.lustrecsi.sanity.Workspace.MIB;
import static dev.lustrecsi.sanity.Workspace.VOLUME_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerGetCapabilitiesRequest;
import csi.v1.ControllerGetVolumeRequest;
import csi.v1.ControllerServiceCapability;
import csi.v1.ControllerServiceCapability.RPC.Type;
import csi.v1.CreateVolumeRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.Volume;
import csi.v1.VolumeCapability;
import io.grpc.Status;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** ControllerGetCapabilities, CreateVolume and DeleteVolume. */
class ControllerConformanceTest extends ConformanceTest {

  @Nested
  class GetCapabilities {
    @Test
    void advertisesTheRpcsTheDriverServes() {
      assertThat(rpcTypes()).contains(Type.CREATE_DELETE_VOLUME, Type.LIST_VOLUMES, Type.GET_CAPACITY, Type.EXPAND_VOLUME, Type.GET_VOLUME);
    }

    @Test
    void everyCapabilityIsAKnownRpc() {
      assertThat(target.controller().controllerGetCapabilities(ControllerGetCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList())
          .allSatisfy(c -> assertThat(c.hasRpc()).as("capability %s has an rpc type", c).isTrue());
      assertThat(rpcTypes()).doesNotContain(Type.UNKNOWN, Type.UNRECOGNIZED).doesNotHaveDuplicates();
    }

    @Test
    void volumeConditionComesWithARpcThatReportsIt() {
      List<Type> types = rpcTypes();
      if (types.contains(Type.VOLUME_CONDITION)) {
        assertThat(types).containsAnyOf(Type.GET_VOLUME, Type.LIST_VOLUMES);
      }
    }

    private List<Type> rpcTypes() {
      return target.controller().controllerGetCapabilities(ControllerGetCapabilitiesRequest.getDefaultInstance())
          .getCapabilitiesList().stream().map(ControllerServiceCapability::getRpc).map(ControllerServiceCapability.RPC::getType).toList();
    }
  }

  @Nested
  class CreateVolume {
    @Test
    void missingNameIsInvalidArgument() {
      Status status = ws.createVolumeFailure(ws.createRequest().clearName().build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void missingVolumeCapabilitiesIsInvalidArgument() {
      Status status = ws.createVolumeFailure(ws.createRequest().clearVolumeCapabilities().build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    static Stream<Arguments> unsupportedCapabilities() {
      return Stream.of(
          Arguments.of("block access", Capabilities.block()),
          Arguments.of("fs_type xfs", Capabilities.mount("xfs", VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsupportedCapabilities")
    void unsupportedCapabilityIsInvalidArgument(String description, VolumeCapability capability) {
      Status status = ws.createVolumeFailure(ws.createRequest().clearVolumeCapabilities().addVolumeCapabilities(capability).build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void unsupportedCapabilityAmongSupportedOnesIsInvalidArgument() {
      Status status = ws.createVolumeFailure(ws.createRequest().addVolumeCapabilities(Capabilities.block()).build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void unknownParameterIsInvalidArgumentAndNamed() {
      Status status = ws.createVolumeFailure(ws.createRequest().putParameters("noSuchParameter", "1").build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("noSuchParameter");
    }

    @ParameterizedTest(name = "fsName \"{0}\"")
    @ValueSource(strings = {"", "ninechars", "bad/name", "sp ace", "dot.ted", "ünï"})
    void invalidFsNameIsInvalidArgument(String fsName) {
      Status status = ws.createVolumeFailure(ws.createRequest().putParameters("fsName", fsName).build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("fsName");
    }

    @Test
    void missingFsNameIsInvalidArgument() {
      Status status = ws.createVolumeFailure(ws.createRequest().removeParameters("fsName").build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("fsName");
    }

    @Test
    void returnsAVolumeWithAnIdAndTheRequiredCapacity() {
      Volume volume = ws.createVolume();
      assertThat(volume.getVolumeId()).isNotBlank();
      assertThat(volume.getCapacityBytes()).isGreaterThanOrEqualTo(VOLUME_SIZE);
    }

    @Test
    void sameNameAndArgumentsTwiceReturnTheSameVolume() {
      CreateVolumeRequest request = ws.createRequest().build();
      Volume first = ws.createVolume(request);
      Volume second = ws.createVolume(request);
      assertThat(second.getVolumeId()).isEqualTo(first.getVolumeId());
      assertThat(second.getCapacityBytes()).isEqualTo(first.getCapacityBytes());
      assertThat(second.getVolumeContextMap()).isEqualTo(first.getVolumeContextMap());
    }

    @Test
    void sameNameWithACompatibleRangeReturnsTheExistingVolume() {
      CreateVolumeRequest request = ws.createRequest().build();
      Volume first = ws.createVolume(request);
      Volume again = ws.createVolume(request.toBuilder()
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(VOLUME_SIZE / 2).setLimitBytes(4 * VOLUME_SIZE)).build());
      assertThat(again.getVolumeId()).isEqualTo(first.getVolumeId());
      assertThat(again.getCapacityBytes()).isEqualTo(first.getCapacityBytes());
    }

    @Test
    void sameNameWithALargerCapacityIsAlreadyExists() {
      CreateVolumeRequest request = ws.createRequest().build();
      Volume first = ws.createVolume(request);
      Status status = ws.createVolumeFailure(request.toBuilder()
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(first.getCapacityBytes() + GIB)).build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void sameNameWithALimitBelowTheCapacityIsAlreadyExists() {
      CreateVolumeRequest request = ws.createRequest().build();
      Volume first = ws.createVolume(request);
      Status status = ws.createVolumeFailure(request.toBuilder()
          .setCapacityRange(CapacityRange.newBuilder().setLimitBytes(first.getCapacityBytes() / 2)).build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void sameNameWithDifferentParametersIsAlreadyExists() {
      CreateVolumeRequest request = ws.createRequest().build();
      ws.createVolume(request);
      String otherCount = "2".equals(request.getParametersMap().get("stripeCount")) ? "1" : "2";
      Status status = ws.createVolumeFailure(request.toBuilder().putParameters("stripeCount", otherCount).build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    static Stream<Arguments> capacityRanges() {
      return Stream.of(
          Arguments.of(1L, 0L),
          Arguments.of(GIB + 1, 0L),
          Arguments.of(3 * GIB + 12_345, 0L),
          Arguments.of(GIB, GIB),
          Arguments.of(GIB + 1, 2 * GIB),
          Arguments.of(0L, 2 * GIB),
          Arguments.of(0L, 0L));
    }

    @ParameterizedTest(name = "required {0}, limit {1}")
    @MethodSource("capacityRanges")
    void capacityIsWithinTheRequestedRange(long required, long limit) {
      Volume volume = ws.createVolume(ws.createRequest()
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(required).setLimitBytes(limit)).build());
      assertThat(volume.getCapacityBytes()).isGreaterThanOrEqualTo(required);
      if (limit > 0) {
        assertThat(volume.getCapacityBytes()).isLessThanOrEqualTo(limit);
      }
    }

    @Test
    void limitBelowRequiredFails() {
      CreateVolumeRequest request = ws.createRequest()
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * GIB).setLimitBytes(GIB)).build();
      Status status = ws.createVolumeFailure(request);
      assertThat(status.getCode()).as(status.toString()).isIn(Status.Code.INVALID_ARGUMENT, Status.Code.OUT_OF_RANGE);
    }

    @ParameterizedTest(name = "required {0} bytes")
    @ValueSource(longs = {1L << 60, Long.MAX_VALUE - 1, Long.MAX_VALUE})
    void capacityBeyondWhatThePluginCanProvideIsOutOfRange(long required) {
      Status status = ws.createVolumeFailure(ws.createRequest()
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(required)).build());
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.OUT_OF_RANGE);
    }

    @Test
    void largeVolumeBeyondOneOstIsCreated() {
      // With the sandbox's 16Gi OSTs this makes the filesystem grow by more than one OST.
      Volume volume = ws.createVolume(ws.createRequest()
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(40 * GIB + MIB)).build());
      assertThat(volume.getCapacityBytes()).isGreaterThanOrEqualTo(40 * GIB + MIB);
    }
  }

  @Nested
  class DeleteVolume {
    @Test
    void missingVolumeIdIsInvalidArgument() {
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().deleteVolume(DeleteVolumeRequest.getDefaultInstance()));
    }

    @Test
    void unknownVolumeIdIsOk() {
      Volume deleted = ws.createVolume();
      ws.deleteVolume(deleted.getVolumeId());
      for (String unknown : List.of(deleted.getVolumeId(), "no-such-volume", "nosuchfs/no-such-volume", "a/b/c")) {
        target.controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(unknown).build());
      }
    }

    @Test
    void deletingTwiceIsOkAndTheVolumeIsGone() {
      Volume volume = ws.createVolume();
      ws.deleteVolume(volume.getVolumeId());
      ws.deleteVolume(volume.getVolumeId());
      assertFails(Status.Code.NOT_FOUND, () -> target.controller().controllerGetVolume(
          ControllerGetVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).build()));
      assertThat(VolumeListing.allIds(target, 0)).doesNotContain(volume.getVolumeId());
    }

    @Test
    void nameCanBeUsedAgainAfterDelete() {
      CreateVolumeRequest request = ws.createRequest().build();
      Volume first = ws.createVolume(request);
      ws.deleteVolume(first.getVolumeId());
      Volume second = ws.createVolume(request.toBuilder()
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * VOLUME_SIZE)).build());
      assertThat(second.getCapacityBytes()).isGreaterThanOrEqualTo(2 * VOLUME_SIZE);
      assertThat(VolumeListing.allIds(target, 0)).containsOnlyOnce(second.getVolumeId());
    }
  }
}
