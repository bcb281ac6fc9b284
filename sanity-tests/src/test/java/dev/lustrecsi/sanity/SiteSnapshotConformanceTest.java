package dev.lustrecsi.sanity;

import static dev.lustrecsi.sanity.Calls.assertFails;

import csi.v1.CreateSnapshotRequest;
import csi.v1.CreateVolumeGroupSnapshotRequest;
import csi.v1.Volume;
import io.grpc.Status;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On a filesystem the site runs, snapshots are refused for good: its targets are not ZFS datasets
 * beside agents of the driver's, so the answer is FAILED_PRECONDITION (the CO stops), never
 * UNAVAILABLE (the CO would retry for ever). Runs only when the suite targets such a filesystem.
 */
class SiteSnapshotConformanceTest extends ConformanceTest {

  @BeforeEach
  void requireSiteFilesystem() {
    Assumptions.assumeTrue(CsiTarget.onSiteFilesystem(), "the suite's volumes are on a filesystem the driver runs");
  }

  @Test
  void snapshotOfAVolumeOnTheSitesFilesystemIsFailedPrecondition() {
    Volume volume = ws.createVolume();
    assertFails(Status.Code.FAILED_PRECONDITION, () -> target.asCo(() -> target.controller().createSnapshot(
        CreateSnapshotRequest.newBuilder().setName(ws.snapshotName()).setSourceVolumeId(volume.getVolumeId()).build())));
  }

  @Test
  void cloneOfAVolumeOnTheSitesFilesystemIsFailedPrecondition() {
    Volume volume = ws.createVolume();
    Status status = ws.createVolumeFailure(ws.createRequest().setVolumeContentSource(csi.v1.VolumeContentSource.newBuilder()
        .setVolume(csi.v1.VolumeContentSource.VolumeSource.newBuilder().setVolumeId(volume.getVolumeId()))).build());
    org.assertj.core.api.Assertions.assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    org.assertj.core.api.Assertions.assertThat(status.getDescription()).contains("volume_content_source");
  }

  @Test
  void groupSnapshotOfVolumesOnTheSitesFilesystemIsFailedPrecondition() {
    Volume a = ws.createVolume();
    Volume b = ws.createVolume();
    assertFails(Status.Code.FAILED_PRECONDITION, () -> target.asCo(() -> target.groupController().createVolumeGroupSnapshot(
        CreateVolumeGroupSnapshotRequest.newBuilder().setName(ws.snapshotName()).addSourceVolumeIds(a.getVolumeId())
            .addSourceVolumeIds(b.getVolumeId()).build())));
  }
}
