package dev.lustrecsi.sanity;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CapacityRange;
import csi.v1.ControllerGetCapabilitiesRequest;
import csi.v1.ControllerServiceCapability;
import csi.v1.ControllerServiceCapability.RPC.Type;
import csi.v1.CreateVolumeRequest;
import csi.v1.ListSnapshotsRequest;
import csi.v1.Snapshot;
import csi.v1.Volume;
import csi.v1.VolumeContentSource;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * CreateVolume from a snapshot (restore) and from a volume (clone), by the CSI spec's rules: the
 * new volume names its source in content_source, holds the source's content as it was (read back
 * through a node's mount), at least the source's size, and a retry answers the same volume; the
 * same name with another source is ALREADY_EXISTS. CreateVolume is retried while it answers
 * UNAVAILABLE (the copy running), as the external-provisioner retries it.
 */
class RestoreConformanceTest extends ConformanceTest {

  @BeforeEach
  void requireSnapshots() {
    Assumptions.assumeFalse(CsiTarget.onSiteFilesystem(), "a filesystem the site runs has no snapshots: SiteSnapshotConformanceTest");
  }

  private List<Type> capabilities() {
    return target.controller().controllerGetCapabilities(ControllerGetCapabilitiesRequest.getDefaultInstance())
        .getCapabilitiesList().stream().map(ControllerServiceCapability::getRpc).map(ControllerServiceCapability.RPC::getType).toList();
  }

  private static VolumeContentSource snapshotSource(String snapshotId) {
    return VolumeContentSource.newBuilder().setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snapshotId)).build();
  }

  private static VolumeContentSource volumeSource(String volumeId) {
    return VolumeContentSource.newBuilder().setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId(volumeId)).build();
  }

  /** The volume staged and published; returns its mount. */
  private Path mounted(Volume volume) {
    return ws.publish(volume, ws.stage(volume));
  }

  private static void write(Path mount, String file, String text) {
    try {
      Files.createDirectories(mount.resolve("data"));
      Files.writeString(mount.resolve("data").resolve(file), text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String read(Path mount, String file) throws IOException {
    return Files.readString(mount.resolve("data").resolve(file));
  }

  @Nested
  class FromSnapshot {
    @BeforeEach
    void requireSnapshotCapability() {
      Assumptions.assumeTrue(capabilities().contains(Type.CREATE_DELETE_SNAPSHOT), "the driver does not offer snapshots");
    }

    @Test
    void restoredVolumeNamesItsSnapshotAndHoldsTheContentAsItWasThen() throws IOException {
      Volume source = ws.createVolume();
      Path sourceMount = mounted(source);
      write(sourceMount, "kept.txt", "before the snapshot");
      write(sourceMount, "changed.txt", "before the snapshot");
      Snapshot snapshot = ws.createSnapshot(source.getVolumeId());
      write(sourceMount, "changed.txt", "after the snapshot");
      write(sourceMount, "new.txt", "after the snapshot");

      Volume restored = ws.createVolume(ws.createRequest().setVolumeContentSource(snapshotSource(snapshot.getSnapshotId())).build());
      assertThat(restored.getContentSource()).as("content_source of the restored volume").isEqualTo(snapshotSource(snapshot.getSnapshotId()));
      assertThat(restored.getVolumeId()).isNotEqualTo(source.getVolumeId());
      assertThat(restored.getCapacityBytes()).isGreaterThanOrEqualTo(snapshot.getSizeBytes());
      Path restoredMount = mounted(restored);
      assertThat(read(restoredMount, "kept.txt")).isEqualTo("before the snapshot");
      assertThat(read(restoredMount, "changed.txt")).isEqualTo("before the snapshot");
      assertThat(restoredMount.resolve("data/new.txt")).doesNotExist();
      // A volume of its own: writing it leaves the source alone.
      write(restoredMount, "kept.txt", "written to the restored volume");
      assertThat(read(sourceMount, "kept.txt")).isEqualTo("before the snapshot");
    }

    @Test
    void sameNameAndSnapshotAnswersTheSameVolume() {
      Volume source = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(source.getVolumeId());
      CreateVolumeRequest request = ws.createRequest().setVolumeContentSource(snapshotSource(snapshot.getSnapshotId())).build();
      Volume first = ws.createVolume(request);
      Volume again = target.asCo(() -> target.controller().createVolume(request)).getVolume();
      assertThat(again.getVolumeId()).isEqualTo(first.getVolumeId());
      assertThat(again.getCapacityBytes()).isEqualTo(first.getCapacityBytes());
      assertThat(again.getContentSource()).isEqualTo(first.getContentSource());
    }

    @Test
    void aRetryAfterTheSnapshotWasDeletedAnswersTheVolumeItMade() {
      // The restore is done, the CO lost the answer, and the snapshot went meanwhile (allowed once no restore reads it).
      Volume source = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(source.getVolumeId());
      CreateVolumeRequest request = ws.createRequest().setVolumeContentSource(snapshotSource(snapshot.getSnapshotId())).build();
      Volume first = ws.createVolume(request);
      ws.deleteSnapshot(snapshot.getSnapshotId());
      assertThat(target.asCo(() -> target.controller().createVolume(request)).getVolume()).isEqualTo(first);
    }

    @Test
    void sameNameWithAnotherSourceIsAlreadyExists() {
      Volume source = ws.createVolume();
      Snapshot one = ws.createSnapshot(source.getVolumeId());
      Snapshot other = ws.createSnapshot(source.getVolumeId());
      String name = ws.volumeName();
      ws.createVolume(ws.createRequest(name).setVolumeContentSource(snapshotSource(one.getSnapshotId())).build());
      assertThat(ws.createVolumeFailure(ws.createRequest(name).setVolumeContentSource(snapshotSource(other.getSnapshotId())).build())
          .getCode()).as("the same name from another snapshot").isEqualTo(Status.Code.ALREADY_EXISTS);
      assertThat(ws.createVolumeFailure(ws.createRequest(name).build()).getCode()).as("the same name with no source")
          .isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void withNoCapacityRangeTheRestoredVolumeHoldsTheSnapshotsSize() {
      Volume source = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(source.getVolumeId());
      Volume restored = ws.createVolume(ws.createRequest().clearCapacityRange()
          .setVolumeContentSource(snapshotSource(snapshot.getSnapshotId())).build());
      assertThat(restored.getCapacityBytes()).isGreaterThanOrEqualTo(snapshot.getSizeBytes());
    }

    @Test
    void aLargerVolumeThanTheSnapshotIsMade() {
      Volume source = ws.createVolume();
      Snapshot snapshot = ws.createSnapshot(source.getVolumeId());
      Volume restored = ws.createVolume(ws.createRequest().setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * Workspace.VOLUME_SIZE))
          .setVolumeContentSource(snapshotSource(snapshot.getSnapshotId())).build());
      assertThat(restored.getCapacityBytes()).isGreaterThanOrEqualTo(2 * Workspace.VOLUME_SIZE);
    }

    @Test
    void theRestoredVolumeOutlivesItsSnapshot() throws IOException {
      Volume source = ws.createVolume();
      write(mounted(source), "kept.txt", "in the snapshot");
      Snapshot snapshot = ws.createSnapshot(source.getVolumeId());
      Volume restored = ws.createVolume(ws.createRequest().setVolumeContentSource(snapshotSource(snapshot.getSnapshotId())).build());
      ws.deleteSnapshot(snapshot.getSnapshotId());
      assertThat(read(mounted(restored), "kept.txt")).isEqualTo("in the snapshot");
    }
  }

  @Nested
  class FromVolume {
    @BeforeEach
    void requireCloneCapability() {
      Assumptions.assumeTrue(capabilities().contains(Type.CLONE_VOLUME), "the driver does not offer clones");
    }

    @Test
    void cloneNamesItsSourceAndHoldsItsContent() throws IOException {
      Volume source = ws.createVolume();
      Path sourceMount = mounted(source);
      write(sourceMount, "kept.txt", "before the clone");
      Volume clone = ws.createVolume(ws.createRequest().setVolumeContentSource(volumeSource(source.getVolumeId())).build());
      assertThat(clone.getContentSource()).as("content_source of the clone").isEqualTo(volumeSource(source.getVolumeId()));
      assertThat(clone.getVolumeId()).isNotEqualTo(source.getVolumeId());
      assertThat(clone.getCapacityBytes()).isGreaterThanOrEqualTo(source.getCapacityBytes());
      write(sourceMount, "kept.txt", "after the clone");
      Path cloneMount = mounted(clone);
      assertThat(read(cloneMount, "kept.txt")).isEqualTo("before the clone");
      write(cloneMount, "own.txt", "the clone's own");
      assertThat(sourceMount.resolve("data/own.txt")).doesNotExist();
    }

    @Test
    void sameNameAndSourceAnswersTheSameVolume() {
      Volume source = ws.createVolume();
      CreateVolumeRequest request = ws.createRequest().setVolumeContentSource(volumeSource(source.getVolumeId())).build();
      Volume first = ws.createVolume(request);
      Volume again = target.asCo(() -> target.controller().createVolume(request)).getVolume();
      assertThat(again.getVolumeId()).isEqualTo(first.getVolumeId());
      assertThat(again.getContentSource()).isEqualTo(first.getContentSource());
    }

    @Test
    void aRetryAfterTheSourceGrewAnswersTheCloneItMade() {
      // A resize of the source PVC is not held back by the clone: a retry must not find the clone now too small.
      Volume source = ws.createVolume();
      CreateVolumeRequest request = ws.createRequest().setVolumeContentSource(volumeSource(source.getVolumeId())).build();
      Volume first = ws.createVolume(request);
      target.asCo(() -> target.controller().controllerExpandVolume(csi.v1.ControllerExpandVolumeRequest.newBuilder()
          .setVolumeId(source.getVolumeId()).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(2 * Workspace.VOLUME_SIZE)).build()));
      assertThat(target.asCo(() -> target.controller().createVolume(request)).getVolume()).isEqualTo(first);
    }

    @Test
    void sameNameFromAnotherVolumeIsAlreadyExists() {
      Volume one = ws.createVolume();
      Volume other = ws.createVolume();
      String name = ws.volumeName();
      ws.createVolume(ws.createRequest(name).setVolumeContentSource(volumeSource(one.getVolumeId())).build());
      assertThat(ws.createVolumeFailure(ws.createRequest(name).setVolumeContentSource(volumeSource(other.getVolumeId())).build())
          .getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void capacitySmallerThanTheSourceVolumeIsInvalidArgument() {
      Volume source = ws.createVolume();
      Status status = ws.createVolumeFailure(ws.createRequest().setCapacityRange(CapacityRange.newBuilder()
          .setRequiredBytes(Workspace.VOLUME_SIZE / 2)).setVolumeContentSource(volumeSource(source.getVolumeId())).build());
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("capacity_range.required_bytes");
    }

    @Test
    void aCloneLeavesNoSnapshotBehind() {
      Volume source = ws.createVolume();
      ws.createVolume(ws.createRequest().setVolumeContentSource(volumeSource(source.getVolumeId())).build());
      assertThat(target.controller().listSnapshots(ListSnapshotsRequest.newBuilder().setSourceVolumeId(source.getVolumeId()).build())
          .getEntriesList()).as("snapshots of the clone's source").isEmpty();
    }

    @Test
    void theCloneOutlivesItsSource() throws IOException {
      Volume source = ws.createVolume();
      Path staging = ws.stage(source);
      Path sourceMount = ws.publish(source, staging);
      write(sourceMount, "kept.txt", "cloned");
      Volume clone = ws.createVolume(ws.createRequest().setVolumeContentSource(volumeSource(source.getVolumeId())).build());
      ws.unpublish(source.getVolumeId(), sourceMount);
      ws.unstage(source.getVolumeId(), staging);
      ws.deleteVolume(source.getVolumeId());
      assertThat(read(mounted(clone), "kept.txt")).isEqualTo("cloned");
    }
  }
}
