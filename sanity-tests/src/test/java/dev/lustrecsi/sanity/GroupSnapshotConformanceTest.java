package dev.lustrecsi.sanity;

import static dev.lustrecsi.sanity.Calls.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CreateVolumeGroupSnapshotRequest;
import csi.v1.DeleteSnapshotRequest;
import csi.v1.DeleteVolumeGroupSnapshotRequest;
import csi.v1.GetPluginCapabilitiesRequest;
import csi.v1.GetVolumeGroupSnapshotRequest;
import csi.v1.GroupControllerGetCapabilitiesRequest;
import csi.v1.GroupControllerServiceCapability;
import csi.v1.PluginCapability;
import csi.v1.Snapshot;
import csi.v1.Volume;
import csi.v1.VolumeGroupSnapshot;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The GroupController service by the CSI spec's rules: create, get and delete group snapshots, their fields and codes. */
class GroupSnapshotConformanceTest extends ConformanceTest {

  @BeforeEach
  void requireGroupSnapshots() {
    Assumptions.assumeFalse(CsiTarget.onSiteFilesystem(), "a filesystem the site runs takes no snapshots: SiteSnapshotConformanceTest");
    boolean offered = target.controllerIdentity().getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList()
        .stream().anyMatch(c -> c.getService().getType() == PluginCapability.Service.Type.GROUP_CONTROLLER_SERVICE);
    Assumptions.assumeTrue(offered, "the driver does not offer the GroupController service");
  }

  private VolumeGroupSnapshot create(String name, Volume... volumes) {
    CreateVolumeGroupSnapshotRequest.Builder request = CreateVolumeGroupSnapshotRequest.newBuilder().setName(name);
    for (Volume v : volumes) {
      request.addSourceVolumeIds(v.getVolumeId());
    }
    VolumeGroupSnapshot group = target.asCo(() -> target.groupController().createVolumeGroupSnapshot(request.build())).getGroupSnapshot();
    ws.undoLater("delete group snapshot " + group.getGroupSnapshotId(), () -> target.asCo(() -> target.groupController()
        .deleteVolumeGroupSnapshot(DeleteVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId(group.getGroupSnapshotId())
            .addAllSnapshotIds(ids(group)).build())));
    return group;
  }

  private static List<String> ids(VolumeGroupSnapshot group) {
    return group.getSnapshotsList().stream().map(Snapshot::getSnapshotId).toList();
  }

  @Test
  void advertisesCreateDeleteGet() {
    assertThat(target.groupController().groupControllerGetCapabilities(GroupControllerGetCapabilitiesRequest.getDefaultInstance())
        .getCapabilitiesList()).extracting(c -> c.getRpc().getType())
        .contains(GroupControllerServiceCapability.RPC.Type.CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT);
  }

  @Test
  void missingNameOrSourcesAreInvalidArgument() {
    Volume volume = ws.createVolume();
    assertFails(Status.Code.INVALID_ARGUMENT, () -> target.groupController().createVolumeGroupSnapshot(
        CreateVolumeGroupSnapshotRequest.newBuilder().addSourceVolumeIds(volume.getVolumeId()).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, () -> target.groupController().createVolumeGroupSnapshot(
        CreateVolumeGroupSnapshotRequest.newBuilder().setName(ws.snapshotName()).build()));
  }

  @Test
  void aGroupHoldsOneReadySnapshotOfEachVolumeAndIsIdempotent() {
    Volume one = ws.createVolume();
    Volume two = ws.createVolume();
    String name = ws.snapshotName();
    VolumeGroupSnapshot group = create(name, one, two);
    assertThat(group.getGroupSnapshotId()).isNotEmpty();
    assertThat(group.getReadyToUse()).isTrue();
    assertThat(group.getSnapshotsList()).extracting(Snapshot::getSourceVolumeId)
        .containsExactlyInAnyOrder(one.getVolumeId(), two.getVolumeId());
    assertThat(group.getSnapshotsList()).allSatisfy(s -> {
      assertThat(s.getGroupSnapshotId()).isEqualTo(group.getGroupSnapshotId());
      assertThat(s.getReadyToUse()).isTrue();
    });
    assertThat(create(name, one, two)).isEqualTo(group);
    assertThat(target.groupController().getVolumeGroupSnapshot(GetVolumeGroupSnapshotRequest.newBuilder()
        .setGroupSnapshotId(group.getGroupSnapshotId()).addAllSnapshotIds(ids(group)).build()).getGroupSnapshot()).isEqualTo(group);
  }

  @Test
  void sameNameForOtherVolumesIsAlreadyExists() {
    Volume one = ws.createVolume();
    Volume two = ws.createVolume();
    String name = ws.snapshotName();
    create(name, one);
    assertFails(Status.Code.ALREADY_EXISTS, () -> target.asCo(() -> target.groupController().createVolumeGroupSnapshot(
        CreateVolumeGroupSnapshotRequest.newBuilder().setName(name).addSourceVolumeIds(two.getVolumeId()).build())));
    // More volumes than the group was made of: its Lustre snapshot was taken before the new one was asked for.
    assertFails(Status.Code.ALREADY_EXISTS, () -> target.asCo(() -> target.groupController().createVolumeGroupSnapshot(
        CreateVolumeGroupSnapshotRequest.newBuilder().setName(name).addSourceVolumeIds(one.getVolumeId())
            .addSourceVolumeIds(two.getVolumeId()).build())));
  }

  /**
   * A member carries its group's id, by which the CSI spec says it must not be deleted as a
   * stand-alone snapshot: DeleteSnapshot of it is FAILED_PRECONDITION naming the field, and the
   * group stays whole.
   */
  @Test
  void deletingAMemberAloneIsFailedPreconditionNamingSnapshotId() {
    Volume one = ws.createVolume();
    Volume two = ws.createVolume();
    VolumeGroupSnapshot group = create(ws.snapshotName(), one, two);
    String member = ids(group).getFirst();
    Status refused = assertFails(Status.Code.FAILED_PRECONDITION, () -> target.asCo(() -> target.controller().deleteSnapshot(
        DeleteSnapshotRequest.newBuilder().setSnapshotId(member).build())));
    assertThat(refused.getDescription()).contains("snapshot_id", member, group.getGroupSnapshotId());
    assertThat(target.groupController().getVolumeGroupSnapshot(GetVolumeGroupSnapshotRequest.newBuilder()
        .setGroupSnapshotId(group.getGroupSnapshotId()).addAllSnapshotIds(ids(group)).build()).getGroupSnapshot())
        .as("no member deleted").isEqualTo(group);
  }

  @Test
  void unknownSourceIsNotFound() {
    assertFails(Status.Code.NOT_FOUND, () -> target.asCo(() -> target.groupController().createVolumeGroupSnapshot(
        CreateVolumeGroupSnapshotRequest.newBuilder().setName(ws.snapshotName()).addSourceVolumeIds("no-such-volume").build())));
  }

  @Test
  void unknownGroupIsNotFoundForGetAndOkForDelete() {
    assertFails(Status.Code.NOT_FOUND, () -> target.groupController().getVolumeGroupSnapshot(
        GetVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId("nosuchfs@no-such-group").build()));
    target.groupController().deleteVolumeGroupSnapshot(
        DeleteVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId("nosuchfs@no-such-group").build());
  }

  @Test
  void snapshotIdsThatAreNotTheMembersAreInvalidArgument() {
    Volume one = ws.createVolume();
    Volume two = ws.createVolume();
    VolumeGroupSnapshot group = create(ws.snapshotName(), one, two);
    assertFails(Status.Code.INVALID_ARGUMENT, () -> target.groupController().getVolumeGroupSnapshot(GetVolumeGroupSnapshotRequest.newBuilder()
        .setGroupSnapshotId(group.getGroupSnapshotId()).addSnapshotIds(ids(group).getFirst()).build()));
    assertFails(Status.Code.INVALID_ARGUMENT, () -> target.groupController().deleteVolumeGroupSnapshot(DeleteVolumeGroupSnapshotRequest
        .newBuilder().setGroupSnapshotId(group.getGroupSnapshotId()).addSnapshotIds("nosuchfs@other").build()));
  }

  @Test
  void deletedGroupIsGone() {
    Volume one = ws.createVolume();
    VolumeGroupSnapshot group = create(ws.snapshotName(), one);
    DeleteVolumeGroupSnapshotRequest delete = DeleteVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId(group.getGroupSnapshotId())
        .addAllSnapshotIds(ids(group)).build();
    target.asCo(() -> target.groupController().deleteVolumeGroupSnapshot(delete));
    target.asCo(() -> target.groupController().deleteVolumeGroupSnapshot(delete));
    assertFails(Status.Code.NOT_FOUND, () -> target.groupController().getVolumeGroupSnapshot(
        GetVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId(group.getGroupSnapshotId()).build()));
  }
}
