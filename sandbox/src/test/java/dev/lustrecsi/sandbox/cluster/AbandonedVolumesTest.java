package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CreateSnapshotRequest;
import csi.v1.CreateVolumeRequest;
import csi.v1.DeleteSnapshotRequest;
import csi.v1.Snapshot;
import csi.v1.Volume;
import csi.v1.VolumeContentSource;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.metrics.ControllerMetrics;
import dev.lustrecsi.controller.volume.kubernetes.LustreVolume;
import dev.lustrecsi.controller.volume.kubernetes.VolumeObjects;
import dev.lustrecsi.sandbox.co.CoRetry;
import io.grpc.Status;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CO that gives up on a CreateVolume that never succeeded (its claim deleted, its provisioner
 * restarted) never calls DeleteVolume: the controller withdraws such a volume once no
 * CreateVolume has asked for it in the abandonment time, and nothing of it is left. A volume a CO
 * keeps asking for, and a READY one, are never touched. On the production path, with the
 * abandonment time cut to seconds.
 */
class AbandonedVolumesTest {
  static final Duration ABANDONED_AFTER = Duration.ofSeconds(3);
  static final String FS = "aband";
  static final Map<String, String> PARAMS = Map.of("fsName", FS, "ostSize", "10Gi", "maxOsts", "4");
  @TempDir static Path dir;
  static ControllerOnCluster controller;

  @BeforeAll
  static void start() throws IOException {
    controller = new ControllerOnCluster(dir, Duration.ofSeconds(1), java.time.Duration.ofSeconds(30), ABANDONED_AFTER);
  }

  @AfterAll
  static void stop() {
    controller.cluster.servers().onCommand(null);
    controller.close();
  }

  @Test
  void aVolumeAskedForOnceAndNeverAgainIsWithdrawnAndCanBeMadeAgain() {
    controller.create("first-on-the-filesystem", Sizes.GIB, PARAMS);
    // The servers fail the volume's quota: INTERNAL, which the external-provisioner does not retry; its claim is then deleted.
    controller.cluster.servers().onCommand((server, argv) -> {
      if (argv.contains("setquota")) {
        throw new IllegalStateException("the quota cannot be set");
      }
    });
    try {
      assertThat(onceCode(ControllerOnCluster.request("given-up", Sizes.GIB, PARAMS))).isNotEqualTo(Status.Code.OK);
    } finally {
      controller.cluster.servers().onCommand(null);
    }
    assertThat(record("given-up")).hasValueSatisfying(r -> assertThat(r.getSpec().state()).isEqualTo("CREATING"));
    Path made = controller.cluster.servers().namespace(FS).resolve(VolumeId.directoryFor("given-up"));
    assertThat(made).isDirectory();

    OstDrains.await(ABANDONED_AFTER.multipliedBy(5), "the volume given up on to be withdrawn", () -> record("given-up").isEmpty());
    assertThat(made).doesNotExist();
    assertThat(controller.cluster.servers().filesystem(FS).orElseThrow().projects()).doesNotContainKey(VolumeId.directoryFor("given-up"));
    assertThat(withdrawnMetric()).as("lustre_csi_abandoned_volumes_withdrawn_total{filesystem=%s}", FS).isGreaterThanOrEqualTo(1);

    // A CO that does come back makes it anew.
    Volume again = controller.create("given-up", Sizes.GIB, PARAMS);
    assertThat(record("given-up")).hasValueSatisfying(r -> assertThat(r.getSpec().state()).isEqualTo("READY"));
    assertThat(directory(again)).isDirectory();
  }

  @Test
  void anAbandonedRestoreLeavesNoDirectoryAndNoMountedSnapshot() throws IOException {
    Volume source = controller.create("restore-source", Sizes.GIB, PARAMS);
    Files.writeString(directory(source).resolve("result.txt"), "folded");
    Snapshot snapshot = snapshotOf(source, "abandoned-snap");
    CreateVolumeRequest restore = restoreOf(snapshot, "restore-given-up");
    // The copy cannot start (its client mount fails): the restore is recorded, its directory made, its snapshot's pieces mounted.
    controller.cluster.servers().onCommand(AbandonedVolumesTest::snapshotClientMountFails);
    try {
      assertThat(onceCode(restore)).isNotEqualTo(Status.Code.OK);
    } finally {
      controller.cluster.servers().onCommand(null);
    }
    Path made = controller.cluster.servers().namespace(FS).resolve(VolumeId.directoryFor("restore-given-up"));
    assertThat(made).isDirectory();
    assertThat(controller.cluster.servers().mountedSnapshots()).isNotEmpty();

    OstDrains.await(ABANDONED_AFTER.multipliedBy(5), "the restore given up on to be withdrawn", () -> record("restore-given-up").isEmpty());
    assertThat(made).doesNotExist();
    assertThat(controller.cluster.servers().mountedSnapshots()).isEmpty();
    // Nothing reads the snapshot any more: it can go.
    controller.asCo(() -> controller.csi().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(snapshot.getSnapshotId()).build()));
  }

  @Test
  void aVolumeItsCoKeepsAskingForIsNeverWithdrawnNorAReadyOne() throws IOException, InterruptedException {
    Volume ready = controller.create("kept-ready", Sizes.GIB, PARAMS);
    Files.writeString(directory(ready).resolve("data"), "a researcher's results");
    Volume source = controller.create("retried-source", Sizes.GIB, PARAMS);
    CreateVolumeRequest restore = restoreOf(snapshotOf(source, "retried-snap"), "retried");
    // The copy fails for three abandonment times while the CO keeps asking, half a second apart.
    controller.cluster.servers().onCommand(AbandonedVolumesTest::snapshotClientMountFails);
    String uid;
    try {
      assertThat(onceCode(restore)).isNotEqualTo(Status.Code.OK);
      uid = record("retried").orElseThrow().getMetadata().getUid();
      long end = System.nanoTime() + ABANDONED_AFTER.multipliedBy(3).toNanos();
      while (System.nanoTime() < end) {
        Thread.sleep(500);
        assertThat(onceCode(restore)).isNotEqualTo(Status.Code.OK);
        assertThat(record("retried")).as("the record of a volume its CO keeps asking for").isPresent();
      }
    } finally {
      controller.cluster.servers().onCommand(null);
    }
    Volume restored = controller.asCo(() -> controller.csi().createVolume(restore)).getVolume();
    assertThat(record("retried").orElseThrow().getMetadata().getUid()).as("the same record all along, never withdrawn and made again")
        .isEqualTo(uid);
    assertThat(record("retried").orElseThrow().getSpec().state()).isEqualTo("READY");
    assertThat(directory(restored)).isDirectory();

    // Well past the abandonment time, the READY volumes keep their records and data.
    Thread.sleep(ABANDONED_AFTER.multipliedBy(2));
    assertThat(controller.cluster.controller().abandonedVolumes().sweep()).isEmpty();
    assertThat(record("kept-ready")).isPresent();
    assertThat(directory(ready).resolve("data")).hasContent("a researcher's results");
    assertThat(record("retried")).isPresent();
  }

  private static void snapshotClientMountFails(String server, java.util.List<String> argv) {
    if (argv.getFirst().equals("mount") && argv.stream().anyMatch(a -> a.contains(":/"))) {
      throw new IllegalStateException("the snapshot's client mount fails");
    }
  }

  /** What the controller's metrics say it has withdrawn on the filesystem. */
  private static double withdrawnMetric() {
    try (ControllerMetrics metrics = ControllerMetrics.start(controller.cluster.controller(),
        new ControllerMetrics.Settings(ControllerMetrics.Settings.DEFAULT_VOLUME_LIMIT, Duration.ofHours(1)))) {
      return metrics.registry().scrape().stream()
          .filter(m -> m.getMetadata().getName().equals(ControllerMetrics.ABANDONED_VOLUMES_WITHDRAWN))
          .flatMap(m -> m.getDataPoints().stream())
          .filter(p -> FS.equals(p.getLabels().get("filesystem")))
          .mapToDouble(p -> ((CounterSnapshot.CounterDataPointSnapshot) p).getValue())
          .sum();
    }
  }

  private static Snapshot snapshotOf(Volume source, String name) {
    return controller.asCo(() -> controller.csi().createSnapshot(CreateSnapshotRequest.newBuilder().setName(name)
        .setSourceVolumeId(source.getVolumeId()).build())).getSnapshot();
  }

  /** CreateVolume of a volume restored from {@code snapshot}. */
  private static CreateVolumeRequest restoreOf(Snapshot snapshot, String name) {
    return ControllerOnCluster.request(name, Sizes.GIB, PARAMS).toBuilder()
        .setVolumeContentSource(VolumeContentSource.newBuilder()
            .setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snapshot.getSnapshotId()))).build();
  }

  /** The code of one CreateVolume, not retried. */
  private static Status.Code onceCode(CreateVolumeRequest request) {
    return controller.codeOf(() -> controller.csi().createVolume(request), new CoRetry(Duration.ZERO, Duration.ZERO, Duration.ZERO));
  }

  private static Optional<LustreVolume> record(String name) {
    return controller.records().stream().filter(r -> r.getMetadata().getName().equals(VolumeObjects.objectName(name))).findFirst();
  }

  private static Path directory(Volume volume) {
    return controller.cluster.servers().namespace(FS).resolve(VolumeId.parse(volume.getVolumeId()).orElseThrow().directory());
  }
}
