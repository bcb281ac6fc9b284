package dev.lustrecsi.common.request;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.CreateVolumeRequest;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.VolumeCapability;
import dev.lustrecsi.common.error.CsiException;
import org.junit.jupiter.api.Test;

class FieldLimitsTest {
  private static final String PATH_4095 = ("/" + "d".repeat(254)).repeat(17).substring(0, 4095);

  @Test
  void aStringOfMoreThan128BytesIsRefusedNamingIt() {
    assertThatCode(() -> FieldLimits.check(NodePublishVolumeRequest.newBuilder().setVolumeId("v".repeat(128)).build())).doesNotThrowAnyException();
    assertThatThrownBy(() -> FieldLimits.check(NodePublishVolumeRequest.newBuilder().setVolumeId("v".repeat(129)).build()))
        .isInstanceOf(CsiException.class).hasMessage("volume_id: is 129 bytes; at most 128 are allowed");
    // Bytes, not characters: 64 two-byte characters are 128 bytes, 65 are too many.
    assertThatThrownBy(() -> FieldLimits.check(NodePublishVolumeRequest.newBuilder().setVolumeId("é".repeat(65)).build()))
        .hasMessageStartingWith("volume_id: is 130 bytes");
  }

  @Test
  void pathsMayBeAsLongAsTheKernelTakes() {
    assertThatCode(() -> FieldLimits.check(NodePublishVolumeRequest.newBuilder().setTargetPath(PATH_4095).build())).doesNotThrowAnyException();
    assertThatThrownBy(() -> FieldLimits.check(NodePublishVolumeRequest.newBuilder().setTargetPath(PATH_4095 + "x").build()))
        .hasMessage("target_path: is 4096 bytes; at most 4095 are allowed");
  }

  @Test
  void aMapOfMoreThan4KiBIsRefusedNamingIt() {
    NodePublishVolumeRequest.Builder request = NodePublishVolumeRequest.newBuilder();
    for (int i = 0; i < 40; i++) {
      request.putSecrets(String.format("key%03d", i), "v".repeat(96));
    }
    assertThatCode(() -> FieldLimits.check(request.build())).doesNotThrowAnyException();
    request.putSecrets("one-more", "v".repeat(96));
    assertThatThrownBy(() -> FieldLimits.check(request.build()))
        .hasMessage("secrets: holds 4184 bytes of keys and values; at most 4096 are allowed");
  }

  @Test
  void nestedAndRepeatedFieldsAreCheckedToo() {
    CreateVolumeRequest request = CreateVolumeRequest.newBuilder().setName("ok")
        .addVolumeCapabilities(VolumeCapability.getDefaultInstance())
        .addVolumeCapabilities(VolumeCapability.newBuilder().setMount(VolumeCapability.MountVolume.newBuilder()
            .addMountFlags("ro").addMountFlags("f".repeat(200))))
        .build();
    assertThatThrownBy(() -> FieldLimits.check(request)).hasMessageStartingWith("volume_capabilities[1].mount.mount_flags[1]: is 200 bytes");
  }
}
