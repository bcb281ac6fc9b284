package dev.lustrecsi.sanity.fuzz;

import csi.v1.CapacityRange;
import csi.v1.CreateVolumeRequest;
import csi.v1.DeleteSnapshotRequest;
import csi.v1.DeleteVolumeGroupSnapshotRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.NodeUnpublishVolumeRequest;
import csi.v1.NodeUnstageVolumeRequest;
import csi.v1.Volume;
import csi.v1.VolumeCapability;
import dev.lustrecsi.sanity.CsiTarget;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real objects the fuzzed requests aim at: two volumes, A staged and published and B staged,
 * a static volume that names A's directory, and a canary directory outside the allowed roots
 * that hostile paths point into and nothing may change. Requests that pair one volume's id with
 * another's path are the run's cross-volume cases; whatever a request legitimately undoes is
 * set up again before the next.
 */
final class FuzzWorld implements AutoCloseable {
  /** Fresh mounts the run keeps at once before it undoes the oldest: mountinfo stays short. */
  private static final int FRESH_KEPT = 8;
  /** Volumes the run's CreateVolume calls made that it keeps before it deletes the oldest: the filesystem never fills. */
  private static final int CREATED_KEPT = 16;
  /** Snapshots, and group snapshots, the run keeps at once: a few are enough to restore from and to name. */
  private static final int SNAPSHOTS_KEPT = 3;

  /** A mount a fuzzed request made at a fresh path, to be undone. */
  record Made(String volumeId, Path path, boolean published) {}

  final CsiTarget target;
  final Path dir;
  final Path canary;
  final Path linkOut;
  final String aName;
  final Volume a;
  final Volume b;
  final String staticId;
  final Map<String, String> staticContext;
  final Path stagingA;
  final Path targetA;
  final Path stagingB;
  private final Deque<Made> fresh = new ArrayDeque<>();
  private final List<String> created = new ArrayList<>();
  private final List<String> snapshots = new ArrayList<>();
  private final List<CreateVolumeRequest> pending = new ArrayList<>();
  private final Map<String, List<String>> groups = new LinkedHashMap<>();
  private int paths;
  private int deletions;

  FuzzWorld(CsiTarget target) {
    this.target = target;
    try {
      dir = Files.createDirectories(target.mountRoot().resolve("fuzz-" + target.runId()));
      canary = Files.createTempDirectory("lustre-csi-fuzz-canary-");
      Files.writeString(canary.resolve("secret"), "not for any volume");
      Files.createDirectories(canary.resolve("inside"));
      linkOut = Files.createSymbolicLink(dir.resolve("out"), canary);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lay out the fuzz run's directories", e);
    }
    aName = "fuzz-" + target.runId() + "-a";
    a = create(aName);
    b = create("fuzz-" + target.runId() + "-b");
    stagingA = dir.resolve("staging-a");
    targetA = dir.resolve("pod-a/mount");
    stagingB = dir.resolve("staging-b");
    staticId = "static:fuzz-" + target.runId();
    staticContext = new LinkedHashMap<>(a.getVolumeContextMap());
    staticContext.remove("directory");
    staticContext.remove("lnet");
    staticContext.put("subdir", a.getVolumeContextMap().getOrDefault("directory", a.getVolumeId().substring(a.getVolumeId().indexOf('/') + 1)));
    restore();
  }

  static VolumeCapability capability() {
    return VolumeCapability.newBuilder().setMount(VolumeCapability.MountVolume.getDefaultInstance())
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER)).build();
  }

  /** The world's volumes and what stands for volumes that do not exist, by kind. */
  List<String> knownIds() {
    String fs = a.getVolumeId().substring(0, a.getVolumeId().indexOf('/'));
    // A's directory on a filesystem the driver does not serve: the id of another cluster's volume, or of a deleted filesystem's.
    String otherFs = (fs.equals("otherfs") ? "elsefs" : "otherfs") + a.getVolumeId().substring(a.getVolumeId().indexOf('/'));
    return List.of(a.getVolumeId(), b.getVolumeId(), staticId, fs + "/does-not-exist", "static:nothing-here", otherFs);
  }

  /** The run's live snapshots and group members, the groups' ids, and snapshot ids that name nothing. */
  List<String> knownSnapshotIds() {
    String fs = a.getVolumeId().substring(0, a.getVolumeId().indexOf('/'));
    List<String> ids = new ArrayList<>(List.of(fs + "@does-not-exist", "otherfs@does-not-exist"));
    ids.addAll(snapshots);
    groups.forEach((group, members) -> {
      ids.add(group);
      ids.addAll(members);
    });
    return ids;
  }

  /**
   * A CreateVolume answered UNAVAILABLE: its copy goes on only while the CO retries, as the
   * external-provisioner does until the volume is made; until then the snapshot or volume it
   * copies from is in use and cannot be deleted. The run retries it before it deletes snapshots.
   */
  void createPending(CreateVolumeRequest request) {
    pending.add(request);
  }

  /** Retries every pending CreateVolume until it is answered, as a CO would, and keeps what it made. */
  private void settlePending() {
    List<CreateVolumeRequest> retries = List.copyOf(pending);
    pending.clear();
    for (CreateVolumeRequest request : retries) {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (true) {
        try {
          volumeCreated(target.controller().createVolume(request).getVolume().getVolumeId());
          break;
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            break;  // refused now (its source deleted meanwhile, say): nothing was made
          }
          if (System.nanoTime() > deadline) {
            throw e;
          }
          sleep();
        }
      }
    }
  }

  /** A snapshot the run took and keeps a while: restored from, listed, deleted by later requests. */
  void snapshotTaken(String snapshotId) {
    if (!snapshots.contains(snapshotId)) {
      snapshots.addLast(snapshotId);
    }
    while (snapshots.size() > SNAPSHOTS_KEPT) {
      deleteSnapshot(snapshots.removeFirst());
    }
  }

  /** A group snapshot the run took, with its members' ids. */
  void groupTaken(String groupId, List<String> memberIds) {
    groups.putIfAbsent(groupId, List.copyOf(memberIds));
    while (groups.size() > SNAPSHOTS_KEPT) {
      String oldest = groups.keySet().iterator().next();
      groups.remove(oldest);
      deleteGroup(oldest);
    }
  }

  /** A fuzzed request deleted a snapshot or a group snapshot: nothing left to delete. */
  void snapshotDeleted(String id) {
    snapshots.remove(id);
    groups.remove(id);
  }

  /** The run's live snapshot ids, standalone ones only. */
  List<String> snapshots() {
    return List.copyOf(snapshots);
  }

  /** The run's live group snapshots and their members' ids. */
  Map<String, List<String>> groups() {
    return Map.copyOf(groups);
  }

  /** The volume context a request for {@code volumeId} carries. */
  Map<String, String> contextOf(String volumeId) {
    if (volumeId.equals(a.getVolumeId())) {
      return a.getVolumeContextMap();
    }
    if (volumeId.equals(b.getVolumeId())) {
      return b.getVolumeContextMap();
    }
    return volumeId.equals(staticId) ? staticContext : Map.of();
  }

  /** Whose data a volume id names: "a" for A and the static volume on A's directory, "b" for B, null for any other id. */
  String dataOf(String volumeId) {
    if (volumeId.equals(a.getVolumeId()) || volumeId.equals(staticId)) {
      return "a";
    }
    return volumeId.equals(b.getVolumeId()) ? "b" : null;
  }

  /** Whose data a world path holds; null for any other path, a path that cannot be one among them. */
  String dataAt(String path) {
    return worldMounts().entrySet().stream().filter(e -> e.getKey().toString().equals(path)).findFirst()
        .map(e -> dataOf(e.getValue())).orElse(null);
  }

  /** The mount root a mount of the volume shows, when the world knows it. */
  Optional<String> rootOf(String volumeId) {
    Map<Path, MountPoints.Mount> mounts = MountPoints.read();
    if (volumeId.equals(a.getVolumeId()) || volumeId.equals(staticId)) {
      return Optional.ofNullable(mounts.get(stagingA)).map(MountPoints.Mount::root);
    }
    if (volumeId.equals(b.getVolumeId())) {
      return Optional.ofNullable(mounts.get(stagingB)).map(MountPoints.Mount::root);
    }
    return Optional.empty();
  }

  /** The world's own mounts and the volume each holds. */
  Map<Path, String> worldMounts() {
    return Map.of(stagingA, a.getVolumeId(), targetA, a.getVolumeId(), stagingB, b.getVolumeId());
  }

  /** Every mount the run knows and the volume it holds: the world's, and the fresh ones requests made. */
  Map<Path, String> heldMounts() {
    Map<Path, String> held = new LinkedHashMap<>(worldMounts());
    for (Made made : fresh) {
      held.putIfAbsent(made.path(), made.volumeId());
    }
    return held;
  }

  /** A new path under the run's directory: its parent exists, it does not. */
  Path freshPath() {
    Path parent = dir.resolve("p" + ++paths);
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return parent.resolve("mount");
  }

  /**
   * Stages and publishes again whatever of the world a request took down, and makes writable
   * again what a request made read-only: a stage or publish asking for a mount read-only makes a
   * writable one read-only (docs/node.md, "Retries and per-mount options").
   */
  void restore() {
    Map<Path, MountPoints.Mount> mounts = MountPoints.read();
    boolean stagedReadOnlyA = readOnly(mounts, stagingA);
    if (stagedReadOnlyA || readOnly(mounts, targetA)) {
      unpublish(a.getVolumeId(), targetA);
    }
    if (stagedReadOnlyA) {
      unstage(a.getVolumeId(), stagingA);
    }
    if (readOnly(mounts, stagingB)) {
      unstage(b.getVolumeId(), stagingB);
    }
    mounts = MountPoints.read();
    if (!mounts.containsKey(stagingA)) {
      stage(a.getVolumeId(), stagingA, a.getVolumeContextMap());
    }
    if (!mounts.containsKey(stagingB)) {
      stage(b.getVolumeId(), stagingB, b.getVolumeContextMap());
    }
    if (!mounts.containsKey(targetA)) {
      target.node().nodePublishVolume(NodePublishVolumeRequest.newBuilder().setVolumeId(a.getVolumeId())
          .setStagingTargetPath(stagingA.toString()).setTargetPath(targetA.toString()).setVolumeCapability(capability())
          .putAllVolumeContext(a.getVolumeContextMap()).build());
    }
  }

  private static boolean readOnly(Map<Path, MountPoints.Mount> mounts, Path path) {
    return mounts.containsKey(path) && mounts.get(path).readOnly();
  }

  void volumeCreated(String volumeId) {
    if (!created.contains(volumeId) && !volumeId.equals(a.getVolumeId()) && !volumeId.equals(b.getVolumeId())) {
      created.add(volumeId);
    }
    while (created.size() > CREATED_KEPT) {
      delete(created.removeFirst());
    }
  }

  /** An id DeleteVolume may be sent: a volume the run made, or one that does not exist; never the world's own. */
  String deletable() {
    deletions++;
    if (created.isEmpty() || deletions % 3 == 0) {
      return knownIds().get(3) + "-" + deletions;
    }
    return created.get(deletions % created.size());
  }

  /** A fuzzed request mounted a path (as the request wrote it); the oldest fresh ones beyond a few are undone. */
  void mounted(String volumeId, String pathText, boolean published) {
    Path path = Path.of(pathText).normalize();
    if (worldMounts().containsKey(path)) {
      return;
    }
    fresh.addLast(new Made(volumeId, path, published));
    while (fresh.size() > FRESH_KEPT) {
      undo(fresh.removeFirst());
    }
  }

  /** Undoes every mount the run made, the world's last, deletes its volumes, and says what stays mounted under its directory. */
  @Override
  public void close() {
    while (!fresh.isEmpty()) {
      undo(fresh.removeLast());
    }
    unpublish(a.getVolumeId(), targetA);
    unstage(a.getVolumeId(), stagingA);
    unstage(b.getVolumeId(), stagingB);
    // Volumes first: one still being restored holds its snapshot against deletion.
    settlePending();
    for (String id : created) {
      delete(id);
    }
    snapshots.forEach(this::deleteSnapshot);
    groups.keySet().forEach(this::deleteGroup);
    delete(a.getVolumeId());
    delete(b.getVolumeId());
  }

  /** Mount points left under the run's directory or in the canary. */
  List<Path> leftMounted() {
    return MountPoints.read().keySet().stream().filter(p -> p.startsWith(dir) || p.startsWith(canary)).toList();
  }

  private void undo(Made made) {
    if (made.published()) {
      unpublish(made.volumeId(), made.path());
    } else {
      unstage(made.volumeId(), made.path());
    }
  }

  private Volume create(String name) {
    CreateVolumeRequest request = CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(capability())
        .putAllParameters(target.parameters()).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(1L << 30)).build();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      try {
        return target.controller().createVolume(request).getVolume();
      } catch (StatusRuntimeException e) {
        // The filesystem is still coming up: the external-provisioner retries, and so does the run.
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
          throw e;
        }
        sleep();
      }
    }
  }

  private void stage(String volumeId, Path path, Map<String, String> context) {
    target.node().nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volumeId).setStagingTargetPath(path.toString())
        .setVolumeCapability(capability()).putAllVolumeContext(context).build());
  }

  private void unstage(String volumeId, Path path) {
    target.node().nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder().setVolumeId(volumeId).setStagingTargetPath(path.toString()).build());
  }

  private void unpublish(String volumeId, Path path) {
    target.node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId(volumeId).setTargetPath(path.toString()).build());
  }

  private void delete(String volumeId) {
    target.controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volumeId).build());
  }

  private void deleteSnapshot(String snapshotId) {
    settlePending();
    untilSettled(() -> target.controller().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(snapshotId).build()));
  }

  private void deleteGroup(String groupId) {
    settlePending();
    untilSettled(() -> target.groupController().deleteVolumeGroupSnapshot(DeleteVolumeGroupSnapshotRequest.newBuilder()
        .setGroupSnapshotId(groupId).build()));
  }

  /**
   * Sends a deletion until it is taken: a snapshot a volume is still being restored from is in
   * use (FAILED_PRECONDITION) until that copy is done, and one being taken or deleted by another
   * call is busy (ABORTED). Anything else, or still refused after a minute, fails the run.
   */
  private static void untilSettled(Runnable deletion) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try {
        deletion.run();
        return;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        boolean busy = code == Status.Code.FAILED_PRECONDITION || code == Status.Code.ABORTED || code == Status.Code.UNAVAILABLE;
        if (!busy || System.nanoTime() > deadline) {
          throw e;
        }
        sleep();
      }
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a filesystem", e);
    }
  }
}
