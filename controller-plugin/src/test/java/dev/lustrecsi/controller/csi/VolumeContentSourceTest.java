package dev.lustrecsi.controller.csi;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.ControllerServiceCapability.RPC.Type;
import csi.v1.Volume;
import csi.v1.VolumeContentSource;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.parameters.Striping;
import dev.lustrecsi.controller.volume.VolumeRecord;
import dev.lustrecsi.controller.volume.VolumeSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A volume made from a source names it in content_source (CSI spec), whatever phase its record is in; an empty one names none. */
class VolumeContentSourceTest {
  static VolumeRecord volume(VolumeSource source) {
    VolumeRecord volume = new VolumeRecord("pvc-2", new VolumeId("fs1", "pvc-2"), 1 << 30, new Striping(1, 1 << 20, ""), 1000,
        VolumeRecord.State.READY, Map.of(), java.time.Instant.EPOCH);
    return source == null ? volume : volume.withSource(source);
  }

  @Test
  void aRestoredVolumeNamesItsSnapshot() {
    Volume csi = ControllerService.toCsi(volume(new VolumeSource(VolumeSource.Kind.SNAPSHOT, "fs1@snap-1", "lcsi-20261207-010203-abcdef",
        "pvc-1", VolumeSource.Phase.DONE)));
    assertThat(csi.getContentSource()).isEqualTo(VolumeContentSource.newBuilder()
        .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId("fs1@snap-1")).build());
  }

  @Test
  void aCloneNamesItsSourceVolume() {
    Volume csi = ControllerService.toCsi(volume(new VolumeSource(VolumeSource.Kind.VOLUME, "fs1/pvc-1", "lcsi-clone-0123456789abcdef",
        "pvc-1", VolumeSource.Phase.DONE)));
    assertThat(csi.getContentSource()).isEqualTo(VolumeContentSource.newBuilder()
        .setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId("fs1/pvc-1")).build());
  }

  @Test
  void anEmptyVolumeNamesNone() {
    assertThat(ControllerService.toCsi(volume(null)).hasContentSource()).isFalse();
  }

  @Test
  void clonesAndSnapshotsAreAdvertised() {
    assertThat(ControllerService.CAPABILITIES).contains(Type.CLONE_VOLUME, Type.CREATE_DELETE_SNAPSHOT, Type.LIST_SNAPSHOTS);
  }
}
