package dev.lustrecsi.sanity;

import static dev.lustrecsi.sanity.Calls.assertFails;
import static dev.lustrecsi.sanity.Workspace.GIB;
import static dev.lustrecsi.sanity.Workspace.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.CapacityRange;
import csi.v1.ControllerExpandVolumeRequest;
import csi.v1.NodeGetVolumeStatsRequest;
import csi.v1.NodeGetVolumeStatsResponse;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.Volume;
import csi.v1.VolumeCapability.AccessMode.Mode;
import csi.v1.VolumeUsage;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Volumes staged, published, used and taken down again, with real mounts. */
class NodeLifecycleConformanceTest extends ConformanceTest {

  private static byte[] data(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private NodeGetVolumeStatsResponse stats(Volume volume, Path path) {
    return target.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder()
        .setVolumeId(volume.getVolumeId()).setVolumePath(path.toString()).build());
  }

  private static VolumeUsage bytes(NodeGetVolumeStatsResponse stats) {
    return stats.getUsageList().stream().filter(u -> u.getUnit() == VolumeUsage.Unit.BYTES).findFirst()
        .orElseThrow(() -> new AssertionError("no BYTES usage in " + stats));
  }

  private static long mountCount(Path path) {
    return MountInfo.mountPoints().stream().filter(path::equals).count();
  }

  @Test
  void fullLifecycleWithEveryCallRepeated() throws IOException {
    Volume volume = ws.createVolume();

    Path staging = ws.newStagingPath();
    NodeStageVolumeRequest stage = ws.stageRequest(volume, staging).build();
    ws.stage(stage);
    ws.stage(stage);
    assertThat(mountCount(staging)).as("mounts at the staging path after two NodeStageVolume").isEqualTo(1);

    Path targetPath = ws.newTargetPath();
    NodePublishVolumeRequest publish = ws.publishRequest(volume, staging, targetPath).build();
    ws.publish(publish);
    ws.publish(publish);
    assertThat(mountCount(targetPath)).as("mounts at the target path after two NodePublishVolume").isEqualTo(1);
    assertThat(targetPath).isDirectory();

    byte[] written = data((int) MIB, 1);
    Files.write(targetPath.resolve("data.bin"), written);
    assertThat(Files.readAllBytes(staging.resolve("data.bin"))).as("the file read back through the staging path").isEqualTo(written);

    for (Path path : new Path[] {targetPath, staging}) {
      NodeGetVolumeStatsResponse stats = stats(volume, path);
      VolumeUsage usage = bytes(stats);
      assertThat(usage.getTotal()).as("total bytes at %s", path).isEqualTo(volume.getCapacityBytes());
      assertThat(usage.getUsed()).as("used bytes at %s after writing 1 MiB", path).isPositive();
      assertThat(usage.getAvailable()).as("available bytes at %s", path).isNotNegative().isLessThanOrEqualTo(usage.getTotal());
      assertThat(stats.getVolumeCondition().getAbnormal()).as("condition %s", stats.getVolumeCondition()).isFalse();
    }

    ws.unpublish(volume.getVolumeId(), targetPath);
    ws.unpublish(volume.getVolumeId(), targetPath);
    assertThat(MountInfo.isMountPoint(targetPath)).isFalse();
    assertThat(targetPath).as("the target path the plugin created is removed by NodeUnpublishVolume").doesNotExist();
    assertThat(staging.resolve("data.bin")).as("the file through the still-staged path").exists();

    ws.unstage(volume.getVolumeId(), staging);
    ws.unstage(volume.getVolumeId(), staging);
    assertThat(MountInfo.isMountPoint(staging)).isFalse();
    assertThat(staging.resolve("data.bin")).as("the volume's file, once unstaged").doesNotExist();

    ws.deleteVolume(volume.getVolumeId());
    ws.deleteVolume(volume.getVolumeId());
  }

  @Test
  void readOnlyPublishRefusesWrites() throws IOException {
    Volume volume = ws.createVolume();
    Path staging = ws.stage(volume);
    Files.writeString(staging.resolve("before.txt"), "written read-write");

    Path targetPath = ws.newTargetPath();
    NodePublishVolumeRequest readOnly = ws.publishRequest(volume, staging, targetPath).setReadonly(true).build();
    ws.publish(readOnly);
    ws.publish(readOnly);

    assertThat(Files.readString(targetPath.resolve("before.txt"))).isEqualTo("written read-write");
    assertThatThrownBy(() -> Files.writeString(targetPath.resolve("after.txt"), "must fail")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Files.delete(targetPath.resolve("before.txt"))).isInstanceOf(IOException.class);
    assertThat(staging.resolve("after.txt")).doesNotExist();

    // The same target, now asked for read-write: incompatible with what is published there.
    Status status = ws.nodeFailure(
        () -> target.node().nodePublishVolume(readOnly.toBuilder().setReadonly(false).build()),
        "unpublish " + volume.getVolumeId(), () -> ws.unpublish(volume.getVolumeId(), targetPath));
    assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThatThrownBy(() -> Files.writeString(targetPath.resolve("after.txt"), "must still fail")).isInstanceOf(IOException.class);

    // Read-only publishing leaves the staging path writable.
    Files.writeString(staging.resolve("later.txt"), "still writable");
    assertThat(Files.readString(targetPath.resolve("later.txt"))).isEqualTo("still writable");
  }

  @Test
  void readerOnlyAccessModeRefusesWrites() throws IOException {
    Volume volume = ws.createVolume(ws.createRequest().clearVolumeCapabilities()
        .addVolumeCapabilities(Capabilities.mount(Mode.MULTI_NODE_READER_ONLY)).build());
    Path staging = ws.newStagingPath();
    ws.stage(ws.stageRequest(volume, staging).setVolumeCapability(Capabilities.mount(Mode.MULTI_NODE_READER_ONLY)).build());
    Path targetPath = ws.newTargetPath();
    ws.publish(ws.publishRequest(volume, staging, targetPath).setVolumeCapability(Capabilities.mount(Mode.MULTI_NODE_READER_ONLY)).build());

    assertThatThrownBy(() -> Files.writeString(targetPath.resolve("x.txt"), "must fail")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> Files.writeString(staging.resolve("x.txt"), "must fail")).isInstanceOf(IOException.class);
  }

  /**
   * A read-only staging asked to be writable is incompatible. (The converse is not: a writable
   * staging asked to be read-only is what a stage stopped between its bind and its remount
   * leaves, and the retry makes it read-only.)
   */
  @Test
  void restagingReadOnlyAsWritableIsAlreadyExists() {
    Volume volume = ws.createVolume(ws.createRequest().clearVolumeCapabilities()
        .addVolumeCapabilities(Capabilities.mount(Mode.MULTI_NODE_READER_ONLY)).build());
    Path staging = ws.newStagingPath();
    ws.stage(ws.stageRequest(volume, staging).setVolumeCapability(Capabilities.mount(Mode.MULTI_NODE_READER_ONLY)).build());
    Status status = ws.nodeFailure(
        () -> target.node().nodeStageVolume(ws.stageRequest(volume, staging).build()),
        "unstage " + volume.getVolumeId(), () -> ws.unstage(volume.getVolumeId(), staging));
    assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  @Test
  void publishingAnotherVolumeOnAnOccupiedTargetIsAlreadyExists() throws IOException {
    Volume first = ws.createVolume();
    Volume second = ws.createVolume();
    Path firstStaging = ws.stage(first);
    Path secondStaging = ws.stage(second);
    Path targetPath = ws.publish(first, firstStaging);
    Files.writeString(targetPath.resolve("first.txt"), "first");

    Status status = ws.nodeFailure(
        () -> target.node().nodePublishVolume(ws.publishRequest(second, secondStaging, targetPath).build()),
        "unpublish " + second.getVolumeId(), () -> ws.unpublish(second.getVolumeId(), targetPath));
    assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(Files.readString(targetPath.resolve("first.txt"))).isEqualTo("first");
    assertThat(mountCount(targetPath)).isEqualTo(1);
  }

  @Test
  void oneStagedVolumePublishedAtTwoTargets() throws IOException {
    Volume volume = ws.createVolume();
    Path staging = ws.stage(volume);
    Path one = ws.publish(volume, staging);
    Path two = ws.publish(volume, staging);

    Files.writeString(one.resolve("shared.txt"), "seen by both");
    assertThat(Files.readString(two.resolve("shared.txt"))).isEqualTo("seen by both");

    ws.unpublish(volume.getVolumeId(), one);
    assertThat(one).doesNotExist();
    Files.writeString(two.resolve("after.txt"), "still published");
    assertThat(Files.readString(staging.resolve("after.txt"))).isEqualTo("still published");
  }

  @Test
  void unstagingOneVolumeLeavesAnotherOfTheSameFilesystemUsable() throws IOException {
    Volume first = ws.createVolume();
    Volume second = ws.createVolume();
    // Same parameters, so the same filesystem; the driver's volume context says so.
    assertThat(second.getVolumeContextMap().get("fsName")).isEqualTo(first.getVolumeContextMap().get("fsName"));
    Path firstStaging = ws.stage(first);
    Path secondStaging = ws.stage(second);
    Path firstTarget = ws.publish(first, firstStaging);
    Path secondTarget = ws.publish(second, secondStaging);

    Files.writeString(firstTarget.resolve("first.txt"), "first");
    Files.writeString(secondTarget.resolve("second.txt"), "second");
    assertThat(secondTarget.resolve("first.txt")).as("volumes are isolated from each other").doesNotExist();
    assertThat(firstTarget.resolve("second.txt")).as("volumes are isolated from each other").doesNotExist();

    // Stats for a volume at a path where another volume is mounted.
    assertFails(Status.Code.NOT_FOUND, () -> stats(first, secondTarget));

    ws.unpublish(first.getVolumeId(), firstTarget);
    ws.unstage(first.getVolumeId(), firstStaging);
    assertThat(MountInfo.isMountPoint(firstStaging)).isFalse();
    assertFails(Status.Code.NOT_FOUND, () -> stats(first, firstStaging));

    assertThat(Files.readString(secondTarget.resolve("second.txt"))).isEqualTo("second");
    byte[] more = data((int) MIB, 2);
    Files.write(secondTarget.resolve("more.bin"), more);
    assertThat(Files.readAllBytes(secondStaging.resolve("more.bin"))).isEqualTo(more);
    NodeGetVolumeStatsResponse stats = stats(second, secondTarget);
    assertThat(bytes(stats).getUsed()).isPositive();
    assertThat(stats.getVolumeCondition().getAbnormal()).as("condition %s", stats.getVolumeCondition()).isFalse();

    // And the filesystem can still take a volume staged afresh.
    Path again = ws.stage(first);
    assertThat(Files.readString(again.resolve("first.txt"))).isEqualTo("first");
  }

  @Test
  void onlineExpansionShowsInVolumeStats() {
    Volume volume = ws.createVolume();
    Path staging = ws.stage(volume);
    Path targetPath = ws.publish(volume, staging);
    long expanded = target.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
        .setVolumeId(volume.getVolumeId())
        .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(volume.getCapacityBytes() + GIB))
        .setVolumeCapability(Capabilities.mount())
        .build()).getCapacityBytes();
    assertThat(expanded).isGreaterThanOrEqualTo(volume.getCapacityBytes() + GIB);
    assertThat(bytes(stats(volume, targetPath)).getTotal()).isEqualTo(expanded);
  }
}
