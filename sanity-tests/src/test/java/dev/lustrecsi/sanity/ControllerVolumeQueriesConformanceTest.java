package dev.lustrecsi.sanity;

import static dev.lustrecsi.sanity.Calls.assertFails;
import static dev.lustrecsi.sanity.Workspace.GIB;
import static dev.lustrecsi.sanity.Workspace.VOLUME_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerExpandVolumeRequest;
import csi.v1.ControllerExpandVolumeResponse;
import csi.v1.ControllerGetVolumeRequest;
import csi.v1.ControllerGetVolumeResponse;
import csi.v1.GetCapacityRequest;
import csi.v1.GetCapacityResponse;
import csi.v1.ValidateVolumeCapabilitiesRequest;
import csi.v1.ValidateVolumeCapabilitiesResponse;
import csi.v1.Volume;
import csi.v1.VolumeCapability;
import csi.v1.VolumeCapability.AccessMode.Mode;
import io.grpc.Status;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** ValidateVolumeCapabilities, GetCapacity, ControllerGetVolume and ControllerExpandVolume. */
class ControllerVolumeQueriesConformanceTest extends ConformanceTest {

  /** Ids of volumes that do not exist: one this driver issued and then deleted, and ones it never could have. */
  private List<String> unknownVolumeIds() {
    Volume deleted = ws.createVolume();
    ws.deleteVolume(deleted.getVolumeId());
    return List.of(deleted.getVolumeId(), "no-such-volume", "nosuchfs/no-such-volume");
  }

  @Nested
  class ValidateVolumeCapabilities {
    private ValidateVolumeCapabilitiesResponse validate(Volume volume, VolumeCapability... capabilities) {
      return target.controller().validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest.newBuilder()
          .setVolumeId(volume.getVolumeId())
          .putAllVolumeContext(volume.getVolumeContextMap())
          .addAllVolumeCapabilities(List.of(capabilities))
          .build());
    }

    @Test
    void missingVolumeIdIsInvalidArgument() {
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().validateVolumeCapabilities(
          ValidateVolumeCapabilitiesRequest.newBuilder().addVolumeCapabilities(Capabilities.mount()).build()));
    }

    @Test
    void missingCapabilitiesIsInvalidArgument() {
      Volume volume = ws.createVolume();
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().validateVolumeCapabilities(
          ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId(volume.getVolumeId()).build()));
    }

    @Test
    void unknownVolumeIsNotFound() {
      for (String unknown : unknownVolumeIds()) {
        assertFails(Status.Code.NOT_FOUND, () -> target.controller().validateVolumeCapabilities(
            ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId(unknown).addVolumeCapabilities(Capabilities.mount()).build()));
      }
    }

    static Stream<Arguments> mountCapabilities() {
      return Stream.of(
          Arguments.of("", Mode.SINGLE_NODE_WRITER),
          Arguments.of("lustre", Mode.SINGLE_NODE_WRITER),
          Arguments.of("", Mode.SINGLE_NODE_READER_ONLY),
          Arguments.of("", Mode.MULTI_NODE_READER_ONLY),
          Arguments.of("", Mode.MULTI_NODE_SINGLE_WRITER),
          Arguments.of("lustre", Mode.MULTI_NODE_MULTI_WRITER),
          // The driver advertises SINGLE_NODE_MULTI_WRITER, so it must take both of these.
          Arguments.of("", Mode.SINGLE_NODE_SINGLE_WRITER),
          Arguments.of("", Mode.SINGLE_NODE_MULTI_WRITER));
    }

    @ParameterizedTest(name = "fs_type \"{0}\", {1}")
    @MethodSource("mountCapabilities")
    void mountCapabilityIsConfirmed(String fsType, Mode mode) {
      Volume volume = ws.createVolume();
      VolumeCapability capability = Capabilities.mount(fsType, mode);
      ValidateVolumeCapabilitiesResponse answer = validate(volume, capability);
      assertThat(answer.hasConfirmed()).as("confirmed (message: %s)", answer.getMessage()).isTrue();
      assertThat(answer.getConfirmed().getVolumeCapabilitiesList()).containsExactly(capability);
    }

    @Test
    void blockCapabilityIsNotConfirmed() {
      Volume volume = ws.createVolume();
      ValidateVolumeCapabilitiesResponse answer = validate(volume, Capabilities.block());
      assertThat(answer.hasConfirmed()).as("confirmed %s", answer.getConfirmed()).isFalse();
    }

    @Test
    void blockAmongMountCapabilitiesIsNotConfirmed() {
      Volume volume = ws.createVolume();
      ValidateVolumeCapabilitiesResponse answer = validate(volume, Capabilities.mount(), Capabilities.block());
      assertThat(answer.hasConfirmed()).as("confirmed %s", answer.getConfirmed()).isFalse();
    }

    @Test
    void creationParametersAreConfirmed() {
      Volume volume = ws.createVolume();
      ValidateVolumeCapabilitiesResponse answer = target.controller().validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest.newBuilder()
          .setVolumeId(volume.getVolumeId())
          .putAllVolumeContext(volume.getVolumeContextMap())
          .addVolumeCapabilities(Capabilities.mount())
          .putAllParameters(target.parameters())
          .build());
      assertThat(answer.hasConfirmed()).as("confirmed (message: %s)", answer.getMessage()).isTrue();
    }
  }

  @Nested
  class GetCapacity {
    @Test
    void withTheSuiteParametersIsPositive() {
      GetCapacityResponse answer = target.controller().getCapacity(GetCapacityRequest.newBuilder().putAllParameters(target.parameters()).build());
      assertThat(answer.getAvailableCapacity()).isPositive();
      checkBounds(answer);
    }

    @Test
    void withAMountCapabilityIsPositive() {
      GetCapacityResponse answer = target.controller().getCapacity(GetCapacityRequest.newBuilder()
          .putAllParameters(target.parameters()).addVolumeCapabilities(Capabilities.mount()).build());
      assertThat(answer.getAvailableCapacity()).isPositive();
      checkBounds(answer);
    }

    @Test
    void withoutParametersAnswers() {
      ws.createVolume();
      GetCapacityResponse answer = target.controller().getCapacity(GetCapacityRequest.getDefaultInstance());
      assertThat(answer.getAvailableCapacity()).isNotNegative();
      checkBounds(answer);
    }

    private void checkBounds(GetCapacityResponse answer) {
      if (answer.hasMinimumVolumeSize()) {
        assertThat(answer.getMinimumVolumeSize().getValue()).isNotNegative();
      }
      if (answer.hasMaximumVolumeSize()) {
        assertThat(answer.getMaximumVolumeSize().getValue()).isNotNegative();
      }
      if (answer.hasMinimumVolumeSize() && answer.hasMaximumVolumeSize()) {
        assertThat(answer.getMinimumVolumeSize().getValue()).isLessThanOrEqualTo(answer.getMaximumVolumeSize().getValue());
      }
    }
  }

  @Nested
  class ControllerGetVolume {
    private ControllerGetVolumeResponse get(String volumeId) {
      return target.controller().controllerGetVolume(ControllerGetVolumeRequest.newBuilder().setVolumeId(volumeId).build());
    }

    @Test
    void missingVolumeIdIsInvalidArgument() {
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().controllerGetVolume(ControllerGetVolumeRequest.getDefaultInstance()));
    }

    @Test
    void unknownVolumeIsNotFound() {
      for (String unknown : unknownVolumeIds()) {
        assertFails(Status.Code.NOT_FOUND, () -> get(unknown));
      }
    }

    @Test
    void existingVolumeIsReturnedWithAHealthyCondition() {
      Volume volume = ws.createVolume();
      ControllerGetVolumeResponse answer = get(volume.getVolumeId());
      assertThat(answer.getVolume().getVolumeId()).isEqualTo(volume.getVolumeId());
      assertThat(answer.getVolume().getCapacityBytes()).isEqualTo(volume.getCapacityBytes());
      assertThat(answer.hasStatus()).as("status is REQUIRED").isTrue();
      assertThat(answer.getStatus().getVolumeCondition().getAbnormal())
          .as("volume condition %s", answer.getStatus().getVolumeCondition()).isFalse();
    }
  }

  @Nested
  class ControllerExpandVolume {
    /** An expansion as the resizer makes it: retried while the filesystem grows for it. */
    private ControllerExpandVolumeResponse expand(String volumeId, long required) {
      return target.asCo(() -> target.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
          .setVolumeId(volumeId)
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(required))
          .setVolumeCapability(Capabilities.mount())
          .build()));
    }

    private long capacityOf(String volumeId) {
      return target.controller().controllerGetVolume(ControllerGetVolumeRequest.newBuilder().setVolumeId(volumeId).build())
          .getVolume().getCapacityBytes();
    }

    @Test
    void missingVolumeIdIsInvalidArgument() {
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * GIB)).build()));
    }

    @Test
    void missingCapacityRangeIsInvalidArgument() {
      Volume volume = ws.createVolume();
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
          .setVolumeId(volume.getVolumeId()).build()));
      assertThat(capacityOf(volume.getVolumeId())).isEqualTo(volume.getCapacityBytes());
    }

    @Test
    void unknownVolumeIsNotFound() {
      for (String unknown : unknownVolumeIds()) {
        assertFails(Status.Code.NOT_FOUND, () -> expand(unknown, 2 * GIB));
      }
    }

    @Test
    void expandsTheVolume() {
      Volume volume = ws.createVolume();
      // Past one 16Gi OST of the sandbox: the filesystem has to grow first.
      long wanted = 20 * GIB;
      ControllerExpandVolumeResponse answer = expand(volume.getVolumeId(), wanted);
      assertThat(answer.getCapacityBytes()).isGreaterThanOrEqualTo(wanted);
      assertThat(answer.getNodeExpansionRequired()).isFalse();
      assertThat(capacityOf(volume.getVolumeId())).isEqualTo(answer.getCapacityBytes());
      assertThat(VolumeListing.all(target, 0))
          .filteredOn(e -> e.getVolume().getVolumeId().equals(volume.getVolumeId()))
          .singleElement()
          .satisfies(e -> assertThat(e.getVolume().getCapacityBytes()).isEqualTo(answer.getCapacityBytes()));
    }

    @Test
    void expandingTwiceToTheSameSizeIsIdempotent() {
      Volume volume = ws.createVolume();
      long first = expand(volume.getVolumeId(), 2 * VOLUME_SIZE).getCapacityBytes();
      long second = expand(volume.getVolumeId(), 2 * VOLUME_SIZE).getCapacityBytes();
      assertThat(first).isGreaterThanOrEqualTo(2 * VOLUME_SIZE);
      assertThat(second).isEqualTo(first);
    }

    @Test
    void expandingToLessThanTheCurrentSizeIsOkAndDoesNotShrink() {
      Volume volume = ws.createVolume();
      ControllerExpandVolumeResponse answer = expand(volume.getVolumeId(), volume.getCapacityBytes() / 2);
      assertThat(answer.getCapacityBytes()).isGreaterThanOrEqualTo(volume.getCapacityBytes());
      assertThat(capacityOf(volume.getVolumeId())).isGreaterThanOrEqualTo(volume.getCapacityBytes());
    }

    @ParameterizedTest(name = "required {0} bytes")
    @ValueSource(longs = {1L << 60, Long.MAX_VALUE - 1, Long.MAX_VALUE})
    void capacityBeyondWhatThePluginCanProvideIsOutOfRange(long required) {
      Volume volume = ws.createVolume();
      Status status = Calls.failure(() -> {
        ControllerExpandVolumeResponse answer = expand(volume.getVolumeId(), required);
        throw new AssertionError("ControllerExpandVolume to " + required + " bytes should have failed, but answered capacity_bytes "
            + answer.getCapacityBytes());
      });
      assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.OUT_OF_RANGE);
      assertThat(capacityOf(volume.getVolumeId())).isEqualTo(volume.getCapacityBytes());
    }
  }
}
