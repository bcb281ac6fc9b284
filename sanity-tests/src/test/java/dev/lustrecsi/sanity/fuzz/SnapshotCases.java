package dev.lustrecsi.sanity.fuzz;

import static dev.lustrecsi.sanity.fuzz.Expect.anything;
import static dev.lustrecsi.sanity.fuzz.Expect.fails;
import static dev.lustrecsi.sanity.fuzz.Expect.refused;
import static io.grpc.Status.Code.ABORTED;
import static io.grpc.Status.Code.NOT_FOUND;

import csi.v1.CreateSnapshotRequest;
import csi.v1.CreateSnapshotResponse;
import csi.v1.DeleteSnapshotRequest;
import csi.v1.GetSnapshotRequest;
import csi.v1.ListSnapshotsRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzed requests of the Controller's snapshot RPCs. A snapshot a CreateSnapshot takes is kept a
 * while ({@link FuzzWorld#snapshotTaken}), for later requests to get, list, delete and restore
 * from; the run deletes whatever of them is left at its end.
 */
final class SnapshotCases {
  private final FuzzWorld world;
  private final HostileText text;
  private final HostileValues values;
  private final Stubs stubs;
  private int names;

  SnapshotCases(FuzzWorld world, HostileText text, HostileValues values, Stubs stubs) {
    this.world = world;
    this.text = text;
    this.values = values;
    this.stubs = stubs;
  }

  FuzzCase create(int changes) {
    CreateSnapshotRequest.Builder request = CreateSnapshotRequest.newBuilder()
        .setName("fuzz-" + world.target.runId() + "-s" + ++names).setSourceVolumeId(world.a.getVolumeId());
    Draft draft = new Draft("snapshot A", anything().orUnavailable());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(5)) {
        case 0 -> {
          HostileValues.Text value = text.chance(25) ? new HostileValues.Text("", "missing") : values.string(128);
          request.setName(value.value());
          draft.change("name", value.what(), NodeCases.expectOfId(value, anything().orUnavailable()));
        }
        case 1 -> {
          HostileValues.Text value = values.id();
          request.setSourceVolumeId(value.value());
          draft.change("source_volume_id", value.what(), NodeCases.expectOfId(value,
              value.what().equals("another volume's id") ? anything().orUnavailable() : fails(NOT_FOUND)));
        }
        case 2 -> {
          request.putParameters(text.oneOf("fsName", "stripeCount", text.printable(8)), text.printable(8));
          draft.change("parameters", "not a snapshot parameter", refused());
        }
        case 3 -> {
          request.putAllParameters(values.oversizeMap());
          draft.change("parameters", "over 4 KiB", refused());
        }
        default -> {
          boolean big = text.chance(50);
          Map<String, String> secrets = big ? values.oversizeMap() : new HashMap<>(values.smallMap());
          request.putAllSecrets(secrets);
          draft.change("secrets", big ? "over 4 KiB" : "random", big ? refused() : anything().orUnavailable());
        }
      }
    }
    CreateSnapshotRequest built = request.build();
    return new FuzzCase("CreateSnapshot", draft.description(), draft.expect(), () -> stubs.controller().createSnapshot(built), null,
        ok -> world.snapshotTaken(((CreateSnapshotResponse) ok).getSnapshot().getSnapshotId()));
  }

  FuzzCase get(int changes) {
    List<String> live = world.snapshots();
    boolean exists = !live.isEmpty() && text.chance(60);
    String id = exists ? text.oneOf(live) : world.knownSnapshotIds().getFirst();
    GetSnapshotRequest.Builder request = GetSnapshotRequest.newBuilder().setSnapshotId(id);
    Draft draft = new Draft(exists ? "get a snapshot of the run's" : "get a snapshot that does not exist", exists ? anything() : fails(NOT_FOUND));
    for (int i = 0; i < changes; i++) {
      HostileValues.Text value = values.snapshotId();
      request.setSnapshotId(value.value());
      // A volume's id, a group's, or any text that is not a snapshot's names no snapshot.
      boolean snapshot = value.what().equals("a snapshot's id") && !world.groups().containsKey(value.value());
      draft.change("snapshot_id", value.what(), NodeCases.expectOfId(value, snapshot ? anything() : fails(NOT_FOUND)));
    }
    GetSnapshotRequest built = request.build();
    return new FuzzCase("GetSnapshot", draft.description(), draft.expect(), () -> stubs.controller().getSnapshot(built), null, null);
  }

  FuzzCase delete(int changes) {
    DeleteSnapshotRequest.Builder request = DeleteSnapshotRequest.newBuilder().setSnapshotId(world.a.getVolumeId().replace('/', '@'));
    Draft draft = new Draft("delete a snapshot that does not exist", anything());
    for (int i = 0; i < changes; i++) {
      // A live snapshot, a group's member (which goes only with its group), a group's id, or an id of any other kind.
      HostileValues.Text value = values.snapshotId();
      request.setSnapshotId(value.value());
      // Any id that names no snapshot of this driver is deleted already: OK.
      draft.change("snapshot_id", value.what(), NodeCases.expectOfId(value, anything()));
    }
    DeleteSnapshotRequest built = request.build();
    return new FuzzCase("DeleteSnapshot", draft.description(), draft.expect(), () -> stubs.controller().deleteSnapshot(built), null,
        ok -> world.snapshotDeleted(built.getSnapshotId()));
  }

  FuzzCase list(int changes) {
    ListSnapshotsRequest.Builder request = ListSnapshotsRequest.newBuilder();
    Draft draft = new Draft("list snapshots", anything());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(4)) {
        case 0 -> {
          int max = text.chance(50) ? -1 - text.random().nextInt(Integer.MAX_VALUE) : text.random().nextInt(1000);
          request.setMaxEntries(max);
          draft.change("max_entries", Integer.toString(max), max < 0 ? refused() : anything());
        }
        case 1 -> {
          HostileValues.Text value = values.string(128);
          request.setStartingToken(value.value());
          draft.change("starting_token", value.what(), NodeCases.expectOfId(value, fails(ABORTED)));
        }
        case 2 -> {
          HostileValues.Text value = values.snapshotId();
          request.setSnapshotId(value.value());
          // A filter naming nothing is an empty list, not an error.
          draft.change("snapshot_id", value.what(), value.what().equals("missing") ? anything() : NodeCases.expectOfId(value, anything()));
        }
        default -> {
          HostileValues.Text value = values.id();
          request.setSourceVolumeId(value.value());
          draft.change("source_volume_id", value.what(), value.what().equals("missing") ? anything() : NodeCases.expectOfId(value, anything()));
        }
      }
    }
    ListSnapshotsRequest built = request.build();
    return new FuzzCase("ListSnapshots", draft.description(), draft.expect(), () -> stubs.controller().listSnapshots(built), null, null);
  }
}
