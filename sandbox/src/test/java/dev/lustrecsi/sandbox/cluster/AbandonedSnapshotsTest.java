package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CreateSnapshotRequest;
import csi.v1.Snapshot;
import csi.v1.Volume;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.metrics.ControllerMetrics;
import dev.lustrecsi.controller.snapshot.kubernetes.LustreSnapshot;
import dev.lustrecsi.controller.snapshot.kubernetes.LustreSnapshotSpec;
import dev.lustrecsi.controller.snapshot.kubernetes.SnapshotObjects;
import dev.lustrecsi.sandbox.co.CoRetry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.grpc.Status;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CO that gives up on a CreateSnapshot that never succeeded (its VolumeSnapshot deleted while
 * the call kept failing) never calls DeleteSnapshot: the controller withdraws such a snapshot
 * once no call has asked for it in the abandonment time, with whatever pieces of its Lustre
 * snapshot a failed attempt left on the targets. A snapshot a CO keeps asking for, a READY one,
 * and a Lustre snapshot another snapshot still holds are never touched. On the production path,
 * with the abandonment time cut to seconds.
 */
class AbandonedSnapshotsTest {
  static final Duration ABANDONED_AFTER = Duration.ofSeconds(3);
  static final String FS = "absnap";
  static final Map<String, String> PARAMS = Map.of("fsName", FS, "ostSize", "10Gi", "maxOsts", "4");
  @TempDir static Path dir;
  static ControllerOnCluster controller;
  static Volume source;

  @BeforeAll
  static void start() throws IOException {
    controller = new ControllerOnCluster(dir, Duration.ofSeconds(1), Duration.ofSeconds(30), ABANDONED_AFTER);
    source = controller.create("source", Sizes.GIB, PARAMS);
  }

  @AfterAll
  static void stop() {
    controller.cluster.servers().onCommand(null);
    controller.close();
  }

  @Test
  void aSnapshotAskedForOnceAndNeverAgainIsWithdrawnWithThePiecesItLeft() {
    // The OSS cannot snapshot its target, and the pieces already taken elsewhere cannot be destroyed: a failed attempt leaves them.
    controller.cluster.servers().onCommand(AbandonedSnapshotsTest::ossSnapshotAndEveryDestroyFail);
    try {
      assertThat(onceCode("given-up")).isNotEqualTo(Status.Code.OK);
    } finally {
      controller.cluster.servers().onCommand(null);
    }
    LustreSnapshot left = record("given-up").orElseThrow();
    assertThat(left.getSpec().state()).isEqualTo("CREATING");
    String lustreSnapshot = left.getSpec().lustreSnapshot();
    assertThat(piecesOf(lustreSnapshot)).as("pieces the failed attempt left").isNotEmpty();

    OstDrains.await(ABANDONED_AFTER.multipliedBy(5), "the snapshot given up on to be withdrawn", () -> record("given-up").isEmpty());
    assertThat(piecesOf(lustreSnapshot)).isEmpty();
    assertThat(withdrawnMetric()).as("lustre_csi_abandoned_snapshots_withdrawn_total{filesystem=%s}", FS).isGreaterThanOrEqualTo(1);

    // A CO that does come back takes it anew.
    Snapshot again = snapshot("given-up");
    assertThat(again.getReadyToUse()).isTrue();
    assertThat(record("given-up").orElseThrow().getSpec().state()).isEqualTo("READY");
  }

  @Test
  void aSnapshotItsCoKeepsAskingForIsNeverWithdrawnNorAReadyOne() throws InterruptedException {
    Snapshot ready = snapshot("kept-ready");
    controller.cluster.servers().onCommand(AbandonedSnapshotsTest::ossSnapshotAndEveryDestroyFail);
    String uid;
    try {
      assertThat(onceCode("retried")).isNotEqualTo(Status.Code.OK);
      uid = record("retried").orElseThrow().getMetadata().getUid();
      long end = System.nanoTime() + ABANDONED_AFTER.multipliedBy(3).toNanos();
      while (System.nanoTime() < end) {
        Thread.sleep(500);
        assertThat(onceCode("retried")).isNotEqualTo(Status.Code.OK);
        assertThat(record("retried")).as("the record of a snapshot its CO keeps asking for").isPresent();
      }
    } finally {
      controller.cluster.servers().onCommand(null);
    }
    assertThat(snapshot("retried").getReadyToUse()).isTrue();
    assertThat(record("retried").orElseThrow().getMetadata().getUid()).as("the same record all along, never withdrawn and taken again")
        .isEqualTo(uid);

    Thread.sleep(ABANDONED_AFTER.multipliedBy(2));
    assertThat(controller.cluster.controller().abandonedSnapshots().sweep()).isEmpty();
    assertThat(record("kept-ready")).hasValueSatisfying(r -> assertThat(r.getSpec().state()).isEqualTo("READY"));
    assertThat(piecesOf(record("kept-ready").orElseThrow().getSpec().lustreSnapshot())).isNotEmpty();
    assertThat(ready.getSnapshotId()).isNotEmpty();
  }

  @Test
  void aRecordLeftCreatingBesideAReadyOneOfTheSameLustreSnapshotGoesAloneAndTheLustreSnapshotStays() {
    // Two snapshots taken in one batch, the controller dying before the second's READY was written
    // (made here by writing the second's record as that crash leaves it), and its CO giving up.
    Snapshot kept = snapshot("batch-kept");
    LustreSnapshot keptRecord = record("batch-kept").orElseThrow();
    LustreSnapshotSpec spec = keptRecord.getSpec();
    LustreSnapshot orphan = new LustreSnapshot();
    orphan.setMetadata(new ObjectMetaBuilder().withName("batch-orphan").withNamespace(keptRecord.getMetadata().getNamespace()).build());
    orphan.setSpec(new LustreSnapshotSpec("batch-orphan", spec.fsName(), spec.sourceDirectory(), spec.lustreSnapshot(), spec.sizeBytes(),
        spec.size(), 0, "CREATING", null, Instant.now().minus(ABANDONED_AFTER.multipliedBy(2)).toString()));
    controller.cluster.client().resource(orphan).create();

    OstDrains.await(ABANDONED_AFTER.multipliedBy(5), "the record left creating to be withdrawn", () -> record("batch-orphan").isEmpty());
    assertThat(record("batch-kept")).hasValueSatisfying(r -> assertThat(r.getSpec().state()).isEqualTo("READY"));
    assertThat(piecesOf(spec.lustreSnapshot())).as("the Lustre snapshot batch-kept holds").isNotEmpty();
    assertThat(kept.getReadyToUse()).isTrue();
  }

  /** Fails {@code zfs snapshot} on the OSS and {@code zfs destroy} everywhere. */
  private static void ossSnapshotAndEveryDestroyFail(String server, List<String> argv) {
    if (argv.size() > 1 && argv.getFirst().equals("zfs")
        && (argv.get(1).equals("destroy") || argv.get(1).equals("snapshot") && server.contains("oss"))) {
      throw new IllegalStateException("zfs " + argv.get(1) + " fails on " + server);
    }
  }

  private static Snapshot snapshot(String name) {
    return controller.asCo(() -> controller.csi().createSnapshot(request(name))).getSnapshot();
  }

  private static CreateSnapshotRequest request(String name) {
    return CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(source.getVolumeId()).build();
  }

  /** The code of one CreateSnapshot, not retried. */
  private static Status.Code onceCode(String name) {
    return controller.codeOf(() -> controller.csi().createSnapshot(request(name)), new CoRetry(Duration.ZERO, Duration.ZERO, Duration.ZERO));
  }

  private static Optional<LustreSnapshot> record(String name) {
    return controller.cluster.client().resources(LustreSnapshot.class).list().getItems().stream()
        .filter(r -> r.getMetadata().getName().equals(SnapshotObjects.objectName(name))).findFirst();
  }

  /** The ZFS snapshots, on any target, of the Lustre snapshot {@code name}. */
  private static List<String> piecesOf(String name) {
    return controller.cluster.servers().allSnapshots().stream().filter(s -> s.endsWith("@" + name)).toList();
  }

  /** What the controller's metrics say it has withdrawn on the filesystem. */
  private static double withdrawnMetric() {
    try (ControllerMetrics metrics = ControllerMetrics.start(controller.cluster.controller(),
        new ControllerMetrics.Settings(ControllerMetrics.Settings.DEFAULT_VOLUME_LIMIT, Duration.ofHours(1)))) {
      return metrics.registry().scrape().stream()
          .filter(m -> m.getMetadata().getName().equals(ControllerMetrics.ABANDONED_SNAPSHOTS_WITHDRAWN))
          .flatMap(m -> m.getDataPoints().stream())
          .filter(p -> FS.equals(p.getLabels().get("filesystem")))
          .mapToDouble(p -> ((CounterSnapshot.CounterDataPointSnapshot) p).getValue())
          .sum();
    }
  }
}
