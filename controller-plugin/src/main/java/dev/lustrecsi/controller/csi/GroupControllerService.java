package dev.lustrecsi.controller.csi;

import csi.v1.CreateVolumeGroupSnapshotRequest;
import csi.v1.CreateVolumeGroupSnapshotResponse;
import csi.v1.DeleteVolumeGroupSnapshotRequest;
import csi.v1.DeleteVolumeGroupSnapshotResponse;
import csi.v1.GetVolumeGroupSnapshotRequest;
import csi.v1.GetVolumeGroupSnapshotResponse;
import csi.v1.GroupControllerGetCapabilitiesRequest;
import csi.v1.GroupControllerGetCapabilitiesResponse;
import csi.v1.GroupControllerGrpc;
import csi.v1.GroupControllerServiceCapability;
import csi.v1.VolumeGroupSnapshot;
import com.google.protobuf.Timestamp;
import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.request.RequestFields;
import dev.lustrecsi.controller.snapshot.GroupSnapshots;
import dev.lustrecsi.controller.snapshot.SnapshotRecord;
import io.grpc.stub.StreamObserver;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The CSI GroupController service: group snapshots of volumes of one filesystem, each group one
 * Lustre snapshot, so the group is crash-consistent across its volumes.
 */
public final class GroupControllerService extends GroupControllerGrpc.GroupControllerImplBase {
  private final GroupSnapshots groups;

  public GroupControllerService(GroupSnapshots groups) {
    this.groups = groups;
  }

  @Override
  public void groupControllerGetCapabilities(GroupControllerGetCapabilitiesRequest request,
      StreamObserver<GroupControllerGetCapabilitiesResponse> response) {
    response.onNext(GroupControllerGetCapabilitiesResponse.newBuilder().addCapabilities(GroupControllerServiceCapability.newBuilder()
        .setRpc(GroupControllerServiceCapability.RPC.newBuilder()
            .setType(GroupControllerServiceCapability.RPC.Type.CREATE_DELETE_GET_VOLUME_GROUP_SNAPSHOT))).build());
    response.onCompleted();
  }

  @Override
  public void createVolumeGroupSnapshot(CreateVolumeGroupSnapshotRequest request, StreamObserver<CreateVolumeGroupSnapshotResponse> response) {
    String name = RequestFields.id(request.getName(), "name");
    if (request.getSourceVolumeIdsCount() == 0) {
      throw CsiException.missing("source_volume_ids");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < request.getSourceVolumeIdsCount(); i++) {
      String id = RequestFields.id(request.getSourceVolumeIds(i), "source_volume_ids[" + i + "]");
      if (!seen.add(id)) {
        throw CsiException.invalidArgument("source_volume_ids[" + i + "]", CallerText.quote(id) + " is named twice");
      }
    }
    for (String key : request.getParametersMap().keySet()) {
      if (!key.startsWith(ControllerService.CO_PARAMETER_PREFIX)) {
        throw CsiException.invalidArgument("parameters." + key, "is not a group snapshot parameter: group snapshots of this driver take none");
      }
    }
    GroupSnapshots.Group group = groups.create(name, request.getSourceVolumeIdsList());
    response.onNext(CreateVolumeGroupSnapshotResponse.newBuilder().setGroupSnapshot(toCsi(group)).build());
    response.onCompleted();
  }

  @Override
  public void deleteVolumeGroupSnapshot(DeleteVolumeGroupSnapshotRequest request, StreamObserver<DeleteVolumeGroupSnapshotResponse> response) {
    String groupId = RequestFields.id(request.getGroupSnapshotId(), "group_snapshot_id");
    groups.get(groupId).ifPresent(group -> requireMembers(group, request.getSnapshotIdsList()));
    groups.delete(groupId);
    response.onNext(DeleteVolumeGroupSnapshotResponse.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void getVolumeGroupSnapshot(GetVolumeGroupSnapshotRequest request, StreamObserver<GetVolumeGroupSnapshotResponse> response) {
    String groupId = RequestFields.id(request.getGroupSnapshotId(), "group_snapshot_id");
    GroupSnapshots.Group group = groups.get(groupId)
        .orElseThrow(() -> CsiException.notFound("group snapshot " + CallerText.quote(groupId) + " does not exist"));
    requireMembers(group, request.getSnapshotIdsList());
    response.onNext(GetVolumeGroupSnapshotResponse.newBuilder().setGroupSnapshot(toCsi(group)).build());
    response.onCompleted();
  }

  /**
   * The spec's INVALID_ARGUMENT for snapshot_ids that are not the group's members. None named
   * means the whole group, though the spec marks the field REQUIRED: the group's id names it
   * exactly, and refusing would leave a group undeletable by a CO that lost its member list.
   */
  private static void requireMembers(GroupSnapshots.Group group, List<String> snapshotIds) {
    if (snapshotIds.isEmpty()) {
      return;
    }
    Set<String> members = new HashSet<>(group.members().stream().map(m -> m.id().toString()).toList());
    if (!members.equals(new HashSet<>(snapshotIds))) {
      throw CsiException.invalidArgument("snapshot_ids", "are not the members of group snapshot " + group.id() + ": " + members);
    }
  }

  static VolumeGroupSnapshot toCsi(GroupSnapshots.Group group) {
    VolumeGroupSnapshot.Builder built = VolumeGroupSnapshot.newBuilder()
        .setGroupSnapshotId(group.id())
        .setCreationTime(Timestamp.newBuilder().setSeconds(group.creationSeconds()))
        .setReadyToUse(group.ready());
    for (SnapshotRecord member : group.members()) {
      built.addSnapshots(ControllerService.toCsi(member));
    }
    return built.build();
  }
}
