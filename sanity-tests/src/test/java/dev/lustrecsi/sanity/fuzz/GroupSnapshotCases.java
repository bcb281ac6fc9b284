package dev.lustrecsi.sanity.fuzz;

import static dev.lustrecsi.sanity.fuzz.Expect.anything;
import static dev.lustrecsi.sanity.fuzz.Expect.fails;
import static dev.lustrecsi.sanity.fuzz.Expect.refused;
import static io.grpc.Status.Code.NOT_FOUND;

import csi.v1.CreateVolumeGroupSnapshotRequest;
import csi.v1.CreateVolumeGroupSnapshotResponse;
import csi.v1.DeleteVolumeGroupSnapshotRequest;
import csi.v1.GetVolumeGroupSnapshotRequest;
import csi.v1.Snapshot;
import csi.v1.VolumeGroupSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Fuzzed requests of the GroupController service: group snapshots of the world's volumes, kept a
 * while ({@link FuzzWorld#groupTaken}) so that later requests get, delete and restore from them
 * and their members, and name their members where a standalone snapshot is meant.
 */
final class GroupSnapshotCases {
  private final FuzzWorld world;
  private final HostileText text;
  private final HostileValues values;
  private final Stubs stubs;
  private int names;

  GroupSnapshotCases(FuzzWorld world, HostileText text, HostileValues values, Stubs stubs) {
    this.world = world;
    this.text = text;
    this.values = values;
    this.stubs = stubs;
  }

  FuzzCase create(int changes) {
    CreateVolumeGroupSnapshotRequest.Builder request = CreateVolumeGroupSnapshotRequest.newBuilder()
        .setName("fuzz-" + world.target.runId() + "-g" + ++names).addSourceVolumeIds(world.a.getVolumeId())
        .addSourceVolumeIds(world.b.getVolumeId());
    Draft draft = new Draft("group snapshot of A and B", anything().orUnavailable());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(6)) {
        case 0 -> {
          HostileValues.Text value = text.chance(25) ? new HostileValues.Text("", "missing") : values.string(128);
          request.setName(value.value());
          draft.change("name", value.what(), NodeCases.expectOfId(value, anything().orUnavailable()));
        }
        case 1 -> {
          HostileValues.Text value = values.id();
          List<String> ids = new ArrayList<>(request.getSourceVolumeIdsList());
          if (ids.isEmpty()) {
            ids.add(value.value());
          } else {
            ids.set(text.random().nextInt(ids.size()), value.value());
          }
          request.clearSourceVolumeIds().addAllSourceVolumeIds(ids);
          // A, B or the static volume, perhaps twice; otherwise a volume that is not one of this driver's.
          boolean named = value.what().equals("another volume's id");
          draft.change("source_volume_ids", value.what(), () -> duplicated(request.getSourceVolumeIdsList()) ? refused()
              : NodeCases.expectOfId(value, named ? anything().orUnavailable() : fails(NOT_FOUND, io.grpc.Status.Code.INVALID_ARGUMENT)));
        }
        case 2 -> {
          String twice = request.getSourceVolumeIdsCount() == 0 ? world.a.getVolumeId() : text.oneOf(request.getSourceVolumeIdsList());
          request.addSourceVolumeIds(twice).addSourceVolumeIds(twice);
          draft.change("source_volume_ids", "one named twice", refused());
        }
        case 3 -> {
          request.clearSourceVolumeIds();
          draft.change("source_volume_ids", "missing", refused());
        }
        case 4 -> {
          request.putParameters(text.oneOf("fsName", "stripeCount", text.printable(8)), text.printable(8));
          draft.change("parameters", "not a group snapshot parameter", refused());
        }
        default -> {
          boolean big = text.chance(50);
          request.putAllSecrets(big ? values.oversizeMap() : values.smallMap());
          draft.change("secrets", big ? "over 4 KiB" : "random", big ? refused() : anything().orUnavailable());
        }
      }
    }
    CreateVolumeGroupSnapshotRequest built = request.build();
    return new FuzzCase("CreateVolumeGroupSnapshot", draft.description(), draft.expect(), () -> stubs.groupController().createVolumeGroupSnapshot(built),
        null, ok -> {
          VolumeGroupSnapshot group = ((CreateVolumeGroupSnapshotResponse) ok).getGroupSnapshot();
          world.groupTaken(group.getGroupSnapshotId(), group.getSnapshotsList().stream().map(Snapshot::getSnapshotId).toList());
        });
  }

  FuzzCase get(int changes) {
    Map<String, List<String>> groups = world.groups();
    boolean exists = !groups.isEmpty() && text.chance(60);
    String id = exists ? text.oneOf(List.copyOf(groups.keySet())) : world.knownSnapshotIds().getFirst();
    GetVolumeGroupSnapshotRequest.Builder request = GetVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId(id);
    Draft draft = new Draft(exists ? "get a group snapshot of the run's" : "get a group snapshot that does not exist",
        exists ? anything() : fails(NOT_FOUND));
    for (int i = 0; i < changes; i++) {
      if (text.chance(50)) {
        HostileValues.Text value = values.snapshotId();
        request.setGroupSnapshotId(value.value());
        boolean group = groups.containsKey(value.value());
        draft.change("group_snapshot_id", value.what(), NodeCases.expectOfId(value, group ? anything() : fails(NOT_FOUND)));
      } else {
        memberIds(draft, groups, request::getGroupSnapshotId, request::getSnapshotIdsList, request::clearSnapshotIds,
            request::addAllSnapshotIds);
      }
    }
    GetVolumeGroupSnapshotRequest built = request.build();
    return new FuzzCase("GetVolumeGroupSnapshot", draft.description(), draft.expect(), () -> stubs.groupController().getVolumeGroupSnapshot(built), null,
        null);
  }

  FuzzCase delete(int changes) {
    DeleteVolumeGroupSnapshotRequest.Builder request = DeleteVolumeGroupSnapshotRequest.newBuilder()
        .setGroupSnapshotId(world.knownSnapshotIds().getFirst());
    Map<String, List<String>> groups = world.groups();
    Draft draft = new Draft("delete a group snapshot that does not exist", anything());
    for (int i = 0; i < changes; i++) {
      if (text.chance(60)) {
        HostileValues.Text value = values.snapshotId();
        request.setGroupSnapshotId(value.value());
        // An id that names no group is deleted already; a standalone snapshot's id names no group either.
        draft.change("group_snapshot_id", value.what(), NodeCases.expectOfId(value, anything()));
      } else {
        memberIds(draft, groups, request::getGroupSnapshotId, request::getSnapshotIdsList, request::clearSnapshotIds,
            request::addAllSnapshotIds);
      }
    }
    DeleteVolumeGroupSnapshotRequest built = request.build();
    return new FuzzCase("DeleteVolumeGroupSnapshot", draft.description(), draft.expect(), () -> stubs.groupController().deleteVolumeGroupSnapshot(built),
        null, ok -> world.snapshotDeleted(built.getGroupSnapshotId()));
  }

  /**
   * snapshot_ids: the group's own members, one of several, or the id of another snapshot. Judged
   * on the finished request, whose group_snapshot_id a later change may have replaced: ids that
   * are not the members of the group it names are INVALID_ARGUMENT (the spec's code for a
   * mismatch in snapshot_ids); for an id that names no group there is nothing to match.
   */
  private void memberIds(Draft draft, Map<String, List<String>> groups, Supplier<String> groupId, Supplier<List<String>> snapshotIds,
      Runnable clear, java.util.function.Consumer<List<String>> add) {
    List<String> members = groups.getOrDefault(groupId.get(), List.of());
    clear.run();
    String what;
    if (!members.isEmpty() && text.chance(50)) {
      add.accept(members);
      what = "the group's members";
    } else if (members.size() > 1 && text.chance(50)) {
      add.accept(members.subList(0, 1));
      what = "one member of several";
    } else {
      HostileValues.Text value = values.snapshotId();
      add.accept(List.of(value.value()));
      what = value.what();
    }
    draft.change("snapshot_ids", what, () -> {
      List<String> named = groups.get(groupId.get());
      return named == null || Set.copyOf(named).equals(Set.copyOf(snapshotIds.get())) ? anything() : refused();
    });
  }

  private static boolean duplicated(List<String> ids) {
    return ids.stream().distinct().count() < ids.size();
  }
}
