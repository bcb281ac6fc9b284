package dev.lustrecsi.sanity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import csi.v1.CapacityRange;
import csi.v1.CreateVolumeRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.NodeUnpublishVolumeRequest;
import csi.v1.NodeUnstageVolumeRequest;
import csi.v1.Volume;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * What one test makes, and the undoing of it. Every volume created, staged or published through
 * here is unpublished, unstaged and deleted when the test ends, whether it passed or not, and
 * the test's directories are removed. Anything that cannot be undone fails the test.
 */
final class Workspace implements AutoCloseable {
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;
  /** Size of the suite's ordinary volumes. */
  static final long VOLUME_SIZE = GIB;

  private static final AtomicInteger VOLUMES = new AtomicInteger();
  private static final AtomicInteger WORKSPACES = new AtomicInteger();

  private final CsiTarget target;
  private final Path dir;
  private final Deque<Undo> undo = new ArrayDeque<>();
  private final AtomicInteger paths = new AtomicInteger();

  private record Undo(String what, ThrowingCallable action) {}

  Workspace(CsiTarget target, String testName) {
    this.target = target;
    String safe = testName.replaceAll("[^A-Za-z0-9_.-]", "_");
    if (safe.length() > 40) {
      safe = safe.substring(0, 40);
    }
    this.dir = target.mountRoot().resolve("sanity-" + target.runId()).resolve(WORKSPACES.incrementAndGet() + "-" + safe);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create test directory " + dir, e);
    }
  }

  CsiTarget target() {
    return target;
  }

  /** The test's own directory: every staging and target path is below it. */
  Path dir() {
    return dir;
  }

  /** A volume name no other test of any run uses. */
  String volumeName() {
    return "sanity-" + target.runId() + "-" + VOLUMES.incrementAndGet();
  }

  /** A CreateVolume request for a new name, with the suite's parameters, one mount capability and {@link #VOLUME_SIZE}. */
  CreateVolumeRequest.Builder createRequest() {
    return createRequest(volumeName());
  }

  CreateVolumeRequest.Builder createRequest(String name) {
    return CreateVolumeRequest.newBuilder()
        .setName(name)
        .addVolumeCapabilities(Capabilities.mount())
        .putAllParameters(target.parameters())
        .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(VOLUME_SIZE));
  }

  Volume createVolume() {
    return createVolume(createRequest().build());
  }

  /** Creates a volume and deletes it when the test ends. */
  Volume createVolume(CreateVolumeRequest request) {
    Volume volume;
    try {
      volume = target.asCo(() -> target.controller().createVolume(request)).getVolume();
    } catch (StatusRuntimeException e) {
      // A call that failed late (a deadline, say) may still have made the volume.
      undoLater("delete volume named " + request.getName(), () -> deleteByName(request));
      throw e;
    }
    undoLater("delete volume " + volume.getVolumeId(), () -> deleteVolume(volume.getVolumeId()));
    return volume;
  }

  /**
   * A CreateVolume that must fail: the status it failed with. Should it succeed, the volume it
   * made is deleted when the test ends.
   */
  Status createVolumeFailure(CreateVolumeRequest request) {
    Volume[] made = new Volume[1];
    Throwable thrown = catchThrowable(() -> {
      made[0] = target.asCo(() -> target.controller().createVolume(request)).getVolume();
      undoLater("delete volume " + made[0].getVolumeId(), () -> deleteVolume(made[0].getVolumeId()));
    });
    if (thrown == null) {
      throw new AssertionError("CreateVolume should have failed, but it made volume " + made[0].getVolumeId()
          + " with capacity_bytes " + made[0].getCapacityBytes() + " for capacity_range {" + request.getCapacityRange().toString().strip().replace('\n', ' ') + "}");
    }
    assertThat(thrown).as("CreateVolume should fail with a gRPC status").isInstanceOf(StatusRuntimeException.class);
    return ((StatusRuntimeException) thrown).getStatus();
  }

  /** A snapshot name no other test of any run uses. */
  String snapshotName() {
    return "sanity-snap-" + target.runId() + "-" + VOLUMES.incrementAndGet();
  }

  /** Snapshots the volume under a new name, and deletes the snapshot when the test ends (before its volume). */
  csi.v1.Snapshot createSnapshot(String sourceVolumeId) {
    return createSnapshot(csi.v1.CreateSnapshotRequest.newBuilder().setName(snapshotName()).setSourceVolumeId(sourceVolumeId).build());
  }

  csi.v1.Snapshot createSnapshot(csi.v1.CreateSnapshotRequest request) {
    csi.v1.Snapshot snapshot = target.asCo(() -> target.controller().createSnapshot(request)).getSnapshot();
    undoLater("delete snapshot " + snapshot.getSnapshotId(), () -> deleteSnapshot(snapshot.getSnapshotId()));
    return snapshot;
  }

  void deleteSnapshot(String snapshotId) {
    target.asCo(() -> target.controller().deleteSnapshot(csi.v1.DeleteSnapshotRequest.newBuilder().setSnapshotId(snapshotId).build()));
  }

  void deleteVolume(String volumeId) {
    target.asCo(() -> target.controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volumeId).build()));
  }

  /** A CreateVolume that is expected to fail may have succeeded anyway: find and delete what it made. */
  private void deleteByName(CreateVolumeRequest request) {
    // CreateVolume of an existing name with the same arguments answers with that volume: a way to learn its id.
    Throwable lookup = catchThrowable(() -> {
      Volume volume = target.asCo(() -> target.controller().createVolume(request)).getVolume();
      deleteVolume(volume.getVolumeId());
    });
    if (lookup != null && !(lookup instanceof StatusRuntimeException)) {
      throw new AssertionError("cleanup of volume " + request.getName() + " failed", lookup);
    }
  }

  /** A new, existing, empty staging directory (the CO makes these). */
  Path newStagingPath() {
    Path path = dir.resolve("staging-" + paths.incrementAndGet());
    try {
      Files.createDirectories(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return path;
  }

  /** A new target path whose parent exists and which itself does not (creating it is the plugin's part). */
  Path newTargetPath() {
    Path parent = dir.resolve("pod-" + paths.incrementAndGet());
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return parent.resolve("mount");
  }

  NodeStageVolumeRequest.Builder stageRequest(Volume volume, Path staging) {
    return NodeStageVolumeRequest.newBuilder()
        .setVolumeId(volume.getVolumeId())
        .setStagingTargetPath(staging.toString())
        .setVolumeCapability(Capabilities.mount())
        .putAllVolumeContext(volume.getVolumeContextMap());
  }

  NodePublishVolumeRequest.Builder publishRequest(Volume volume, Path staging, Path targetPath) {
    return NodePublishVolumeRequest.newBuilder()
        .setVolumeId(volume.getVolumeId())
        .setStagingTargetPath(staging.toString())
        .setTargetPath(targetPath.toString())
        .setVolumeCapability(Capabilities.mount())
        .putAllVolumeContext(volume.getVolumeContextMap());
  }

  /** Stages the volume at a new staging path; unstaged when the test ends. */
  Path stage(Volume volume) {
    Path staging = newStagingPath();
    stage(stageRequest(volume, staging).build());
    return staging;
  }

  void stage(NodeStageVolumeRequest request) {
    undoLater("unstage " + request.getVolumeId() + " from " + request.getStagingTargetPath(),
        () -> unstage(request.getVolumeId(), Path.of(request.getStagingTargetPath())));
    target.node().nodeStageVolume(request);
  }

  /** Publishes a staged volume at a new target path; unpublished when the test ends. */
  Path publish(Volume volume, Path staging) {
    Path targetPath = newTargetPath();
    publish(publishRequest(volume, staging, targetPath).build());
    return targetPath;
  }

  void publish(NodePublishVolumeRequest request) {
    undoLater("unpublish " + request.getVolumeId() + " from " + request.getTargetPath(),
        () -> unpublish(request.getVolumeId(), Path.of(request.getTargetPath())));
    target.node().nodePublishVolume(request);
  }

  void unpublish(String volumeId, Path targetPath) {
    target.node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder()
        .setVolumeId(volumeId).setTargetPath(targetPath.toString()).build());
  }

  void unstage(String volumeId, Path staging) {
    target.node().nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder()
        .setVolumeId(volumeId).setStagingTargetPath(staging.toString()).build());
  }

  /** A node call that must fail; should it succeed, {@code undoIfDone} runs when the test ends. */
  Status nodeFailure(ThrowingCallable call, String what, ThrowingCallable undoIfDone) {
    undoLater(what, undoIfDone);
    return Calls.failure(call);
  }

  /** Runs {@code action} when the test ends, before everything registered earlier. */
  void undoLater(String what, ThrowingCallable action) {
    synchronized (undo) {
      undo.push(new Undo(what, action));
    }
  }

  /** Undoes everything, newest first, then checks that nothing is left mounted and removes the test's directories. */
  @Override
  public void close() {
    List<String> failures = new ArrayList<>();
    while (true) {
      Undo next;
      synchronized (undo) {
        next = undo.poll();
      }
      if (next == null) {
        break;
      }
      Throwable failed = catchThrowable(next.action());
      if (failed != null) {
        failures.add(next.what() + ": " + failed);
      }
    }
    List<Path> mounted = MountInfo.mountPointsUnder(dir);
    if (!mounted.isEmpty()) {
      failures.add("still mounted after the test unpublished and unstaged everything: " + mounted);
    } else {
      List<Path> left = Directories.removeEmptyTree(dir);
      if (!left.isEmpty()) {
        failures.add("files left in the test directory: " + left);
      }
    }
    assertThat(failures).as("cleanup after the test").isEmpty();
  }
}
