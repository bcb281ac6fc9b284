package dev.lustrecsi.sanity;

import static dev.lustrecsi.sanity.Calls.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.ControllerGetCapabilitiesRequest;
import csi.v1.ControllerServiceCapability;
import csi.v1.ControllerServiceCapability.RPC.Type;
import csi.v1.CreateSnapshotRequest;
import csi.v1.DeleteSnapshotRequest;
import csi.v1.ListSnapshotsRequest;
import csi.v1.ListSnapshotsResponse;
import csi.v1.Snapshot;
import csi.v1.CapacityRange;
import csi.v1.CreateVolumeRequest;
import csi.v1.Volume;
import csi.v1.VolumeContentSource;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * CreateSnapshot, DeleteSnapshot and ListSnapshots, by the CSI spec's rules for each field and
 * code (the cases upstream csi-sanity checks, and the spec's NOT_FOUND for an unknown source).
 */
class SnapshotConformanceTest extends ConformanceTest {

  @BeforeEach
  void requireSnapshots() {
    Assumptions.assumeFalse(CsiTarget.onSiteFilesystem(), "a filesystem the site runs takes no snapshots: SiteSnapshotConformanceTest");
    List<Type> types = target.controller().controllerGetCapabilities(ControllerGetCapabilitiesRequest.getDefaultInstance())
        .getCapabilitiesList().stream().map(ControllerServiceCapability::getRpc).map(ControllerServiceCapability.RPC::getType).toList();
    Assumptions.assumeTrue(types.contains(Type.CREATE_DELETE_SNAPSHOT) && types.contains(Type.LIST_SNAPSHOTS),
        "the driver does not offer snapshots");
  }

  private List<Snapshot> list(ListSnapshotsRequest request) {
    return target.controller().listSnapshots(request).getEntriesList().stream().map(ListSnapshotsResponse.Entry::getSnapshot).toList();
  }

  @Nested
  class CreateSnapshot {
    @Test
    void missingNameIsInvalidArgument() {
      Volume volume = ws.createVolume();
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().createSnapshot(
          CreateSnapshotRequest.newBuilder().setSourceVolumeId(volume.getVolumeId()).build()));
    }

    @Test
    void missingSourceVolumeIdIsInvalidArgument() {
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().createSnapshot(
          CreateSnapshotRequest.newBuilder().setName(ws.snapshotName()).build()));
    }

    @Test
    void unknownSourceVolumeIsNotFound() {
      Volume deleted = ws.createVolume();
      ws.deleteVolume(deleted.getVolumeId());
      for (String unknown : List.of(deleted.getVolumeId(), "no-such-volume")) {
        assertFails(Status.Code.NOT_FOUND, () -> target.asCo(() -> target.controller().createSnapshot(
            CreateSnapshotRequest.newBuilder().setName(ws.snapshotName()).setSourceVolumeId(unknown).build())));
      }
    }

    @Test
    void snapshotIsReadyAndDescribesItsSource() {
      Volume volume = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(volume.getVolumeId());
      assertThat(snapshot.getSnapshotId()).isNotEmpty();
      assertThat(snapshot.getSourceVolumeId()).isEqualTo(volume.getVolumeId());
      assertThat(snapshot.getReadyToUse()).isTrue();
      assertThat(snapshot.hasCreationTime()).isTrue();
      assertThat(snapshot.getSizeBytes()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void sameNameAndSourceAnswersTheSameSnapshot() {
      Volume volume = ws.createVolume();
      CreateSnapshotRequest request = CreateSnapshotRequest.newBuilder().setName(ws.snapshotName()).setSourceVolumeId(volume.getVolumeId()).build();
      Snapshot first = ws.createSnapshot(request);
      Snapshot again = target.asCo(() -> target.controller().createSnapshot(request)).getSnapshot();
      assertThat(again).isEqualTo(first);
    }

    @Test
    void sameNameOnAnotherSourceIsAlreadyExists() {
      Volume one = ws.createVolume();
      Volume other = ws.createVolume();
      String name = ws.snapshotName();
      ws.createSnapshot(CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(one.getVolumeId()).build());
      assertFails(Status.Code.ALREADY_EXISTS, () -> target.asCo(() -> target.controller().createSnapshot(
          CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(other.getVolumeId()).build())));
    }

    @Test
    void aNameOfMaximumLengthIsTaken() {
      Volume volume = ws.createVolume();
      String name = (ws.snapshotName() + "-" + "x".repeat(128)).substring(0, 128);
      Snapshot snapshot = ws.createSnapshot(CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(volume.getVolumeId()).build());
      assertThat(snapshot.getReadyToUse()).isTrue();
    }

    @Test
    void unknownParameterIsInvalidArgument() {
      Volume volume = ws.createVolume();
      Status status = assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().createSnapshot(CreateSnapshotRequest.newBuilder()
          .setName(ws.snapshotName()).setSourceVolumeId(volume.getVolumeId()).putParameters("noSuchParameter", "1").build()));
      assertThat(status.getDescription()).contains("noSuchParameter");
    }
  }

  @Nested
  class DeleteSnapshot {
    @Test
    void missingSnapshotIdIsInvalidArgument() {
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().deleteSnapshot(DeleteSnapshotRequest.getDefaultInstance()));
    }

    @Test
    void unknownSnapshotIdSucceeds() {
      target.controller().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId("reallyfakesnapshotid").build());
      target.controller().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId("nosuchfs@no-such-snapshot").build());
    }

    @Test
    void deletedSnapshotIsGoneAndDeletingAgainSucceeds() {
      Volume volume = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(volume.getVolumeId());
      ws.deleteSnapshot(snapshot.getSnapshotId());
      assertThat(list(ListSnapshotsRequest.newBuilder().setSnapshotId(snapshot.getSnapshotId()).build())).isEmpty();
      ws.deleteSnapshot(snapshot.getSnapshotId());
    }
  }

  @Nested
  class ListSnapshots {
    @Test
    void listsANewSnapshot() {
      Volume volume = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(volume.getVolumeId());
      List<Snapshot> all = new ArrayList<>();
      String token = "";
      do {
        ListSnapshotsResponse page = target.controller().listSnapshots(ListSnapshotsRequest.newBuilder().setStartingToken(token).build());
        page.getEntriesList().forEach(e -> all.add(e.getSnapshot()));
        token = page.getNextToken();
      } while (!token.isEmpty());
      assertThat(all).contains(snapshot);
    }

    @Test
    void filtersBySnapshotId() {
      Volume volume = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(volume.getVolumeId());
      ws.createSnapshot(volume.getVolumeId());
      assertThat(list(ListSnapshotsRequest.newBuilder().setSnapshotId(snapshot.getSnapshotId()).build())).containsExactly(snapshot);
    }

    @Test
    void unknownSnapshotIdIsAnEmptyList() {
      assertThat(list(ListSnapshotsRequest.newBuilder().setSnapshotId("none-exist").build())).isEmpty();
      assertThat(list(ListSnapshotsRequest.newBuilder().setSnapshotId("nosuchfs@none-exist").build())).isEmpty();
    }

    @Test
    void filtersBySourceVolumeId() {
      Volume one = ws.createVolume();
      Volume other = ws.createVolume();
      Snapshot a = ws.createSnapshot(one.getVolumeId());
      Snapshot b = ws.createSnapshot(one.getVolumeId());
      ws.createSnapshot(other.getVolumeId());
      assertThat(list(ListSnapshotsRequest.newBuilder().setSourceVolumeId(one.getVolumeId()).build())).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void unknownSourceVolumeIdIsAnEmptyList() {
      assertThat(list(ListSnapshotsRequest.newBuilder().setSourceVolumeId("nosuchfs/none-exist").build())).isEmpty();
    }

    @Test
    void tokensThePluginDidNotIssueAreAborted() {
      assertFails(Status.Code.ABORTED, () -> target.controller().listSnapshots(ListSnapshotsRequest.newBuilder().setStartingToken("invalid-token").build()));
      // Upstream csi-sanity passes a number beyond the count of snapshots.
      assertFails(Status.Code.ABORTED, () -> target.controller().listSnapshots(ListSnapshotsRequest.newBuilder().setStartingToken("10").build()));
    }

    @Test
    void negativeMaxEntriesIsInvalidArgument() {
      assertFails(Status.Code.INVALID_ARGUMENT, () -> target.controller().listSnapshots(ListSnapshotsRequest.newBuilder().setMaxEntries(-1).build()));
    }

    @Test
    void pagesByMaxEntriesWithNoSnapshotTwiceOrSkipped() {
      Volume volume = ws.createVolume();
      List<Snapshot> made = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        made.add(ws.createSnapshot(volume.getVolumeId()));
      }
      List<Snapshot> seen = new ArrayList<>();
      String token = "";
      do {
        ListSnapshotsResponse page = target.controller().listSnapshots(ListSnapshotsRequest.newBuilder().setMaxEntries(2).setStartingToken(token).build());
        assertThat(page.getEntriesCount()).isLessThanOrEqualTo(2);
        page.getEntriesList().forEach(e -> seen.add(e.getSnapshot()));
        token = page.getNextToken();
      } while (!token.isEmpty());
      assertThat(seen).containsAll(made).doesNotHaveDuplicates();
    }
  }

  /**
   * CreateVolume naming a content source: the spec's NOT_FOUND for a source that does not exist
   * (upstream csi-sanity's "volume source snapshot/volume is not found") and INVALID_ARGUMENT
   * naming the field for a source the new volume cannot be made from.
   */
  @Nested
  class CreateVolumeFromSource {
    private CreateVolumeRequest fromSnapshot(String snapshotId) {
      return ws.createRequest().setVolumeContentSource(VolumeContentSource.newBuilder()
          .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snapshotId))).build();
    }

    @Test
    void unknownSourceSnapshotIsNotFound() {
      Volume volume = ws.createVolume();
      Snapshot deleted = ws.createSnapshot(volume.getVolumeId());
      ws.deleteSnapshot(deleted.getSnapshotId());
      for (String unknown : List.of(deleted.getSnapshotId(), "no-such-snapshot")) {
        Status status = ws.createVolumeFailure(fromSnapshot(unknown));
        assertThat(status.getCode()).as("source snapshot " + unknown).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(status.getDescription()).contains("volume_content_source.snapshot.snapshot_id");
      }
    }

    @Test
    void missingSourceSnapshotIdIsInvalidArgument() {
      Status status = ws.createVolumeFailure(fromSnapshot(""));
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("volume_content_source.snapshot.snapshot_id");
    }

    @Test
    void unknownSourceVolumeIsNotFound() {
      Volume deleted = ws.createVolume();
      ws.deleteVolume(deleted.getVolumeId());
      for (String unknown : List.of(deleted.getVolumeId(), "no-such-volume")) {
        Status status = ws.createVolumeFailure(ws.createRequest().setVolumeContentSource(VolumeContentSource.newBuilder()
            .setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId(unknown))).build());
        assertThat(status.getCode()).as("source volume " + unknown).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(status.getDescription()).contains("volume_content_source.volume.volume_id");
      }
    }

    @Test
    void capacitySmallerThanTheSnapshotIsInvalidArgument() {
      Volume volume = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(volume.getVolumeId());
      assertThat(snapshot.getSizeBytes()).isGreaterThan(Workspace.VOLUME_SIZE / 2);
      Status status = ws.createVolumeFailure(fromSnapshot(snapshot.getSnapshotId()).toBuilder()
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(Workspace.VOLUME_SIZE / 2)).build());
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("capacity_range.required_bytes");
    }

    @Test
    void snapshotOfAnotherFilesystemIsInvalidArgument() {
      Assumptions.assumeTrue(target.parameters().containsKey("fsName"), "the suite's parameters name no filesystem");
      Volume volume = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(volume.getVolumeId());
      Map<String, String> elsewhere = new HashMap<>(target.parameters());
      elsewhere.put("fsName", target.parameters().get("fsName").equals("other") ? "other2" : "other");
      Status status = ws.createVolumeFailure(fromSnapshot(snapshot.getSnapshotId()).toBuilder()
          .clearParameters().putAllParameters(elsewhere).build());
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("volume_content_source.snapshot.snapshot_id");
    }
  }
}
