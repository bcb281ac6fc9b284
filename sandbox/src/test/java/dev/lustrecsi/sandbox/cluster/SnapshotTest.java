package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.CreateSnapshotRequest;
import csi.v1.CreateVolumeGroupSnapshotRequest;
import csi.v1.DeleteVolumeGroupSnapshotRequest;
import csi.v1.GetVolumeGroupSnapshotRequest;
import csi.v1.GroupControllerGrpc;
import csi.v1.VolumeGroupSnapshot;
import io.grpc.StatusRuntimeException;
import csi.v1.DeleteSnapshotRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.ListSnapshotsRequest;
import csi.v1.ListSnapshotsResponse;
import csi.v1.Snapshot;
import csi.v1.Volume;
import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.snapshot.kubernetes.LustreSnapshot;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSI snapshots on the one path: the controller's CSI socket, LustreSnapshot records on the API
 * server, the MGS agent's barrier and every server's agent taking ZFS snapshots of its targets,
 * over mutual TLS, on the simulated Lustre commands. What a test checks on the servers it reads
 * from the simulated servers: which ZFS snapshots each target dataset holds, and the barrier.
 */
class SnapshotTest {
  @TempDir static Path dir;
  static ControllerOnCluster controller;

  @BeforeAll
  static void start() throws Exception {
    controller = new ControllerOnCluster(dir);
  }

  @AfterAll
  static void stop() {
    controller.close();
  }

  static Map<String, String> params(String fsName) {
    return Map.of("fsName", fsName, "ostSize", "10Gi", "maxOsts", "4");
  }

  static Snapshot snapshot(String name, String volumeId) {
    return controller.asCo(() -> controller.csi().createSnapshot(
        CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(volumeId).build())).getSnapshot();
  }

  static void delete(String snapshotId) {
    controller.asCo(() -> controller.csi().deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(snapshotId).build()));
  }

  static SimulatedServers servers() {
    return controller.cluster.servers();
  }

  /** The ZFS snapshots of the filesystem's targets, as dataset@name. */
  static List<String> zfsSnapshots(String fsName) {
    return servers().allSnapshots().stream().filter(s -> s.startsWith("lcsi-" + fsName + "-")).toList();
  }

  static int targetCount(String fsName) {
    return servers().targets(fsName).size();
  }

  @Test
  void aSnapshotIsAZfsSnapshotOfEveryTargetTakenUnderTheBarrierThenThawed() {
    Volume volume = controller.create("snapa-v1", 1L << 30, params("snapa"));
    Snapshot taken = snapshot("snapa-s1", volume.getVolumeId());

    assertThat(taken.getReadyToUse()).isTrue();
    assertThat(taken.getSourceVolumeId()).isEqualTo(volume.getVolumeId());
    assertThat(taken.getSizeBytes()).isEqualTo(volume.getCapacityBytes());
    assertThat(taken.getCreationTime().getSeconds()).isPositive();
    List<String> pieces = zfsSnapshots("snapa");
    assertThat(pieces).hasSize(targetCount("snapa")).as("MGT, MDT and the OST").hasSizeGreaterThanOrEqualTo(3);
    assertThat(pieces.stream().map(p -> p.substring(p.indexOf('@'))).distinct()).hasSize(1);
    assertThat(servers().frozen("snapa")).as("the barrier is thawed").isFalse();

    // Idempotent by name; the same name for another volume is ALREADY_EXISTS; an unknown volume NOT_FOUND.
    assertThat(snapshot("snapa-s1", volume.getVolumeId())).isEqualTo(taken);
    assertThat(zfsSnapshots("snapa")).isEqualTo(pieces);
    Volume other = controller.create("snapa-v2", 1L << 30, params("snapa"));
    assertThat(controller.codeOf(() -> snapshot("snapa-s1", other.getVolumeId()))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(controller.codeOf(() -> snapshot("snapa-s9", "snapa/no-such-volume"))).isEqualTo(Status.Code.NOT_FOUND);

    delete(taken.getSnapshotId());
    delete(taken.getSnapshotId());
    assertThat(zfsSnapshots("snapa")).isEmpty();
    assertThat(controller.cluster.client().resources(LustreSnapshot.class).list().getItems())
        .noneMatch(s -> s.getSpec().fsName().equals("snapa"));
  }

  @Test
  void snapshotsRequestedTogetherShareOneLustreSnapshotUntilTheLastIsDeleted() throws Exception {
    List<Volume> volumes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      volumes.add(controller.create("snapb-v" + i, 1L << 30, params("snapb")));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Snapshot>> futures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String source = volumes.get(i).getVolumeId();
      String name = "snapb-s" + i;
      futures.add(pool.submit(() -> snapshot(name, source)));
    }
    List<Snapshot> taken = new ArrayList<>();
    for (Future<Snapshot> f : futures) {
      taken.add(f.get());
    }
    pool.shutdown();
    long lustreSnapshots = zfsSnapshots("snapb").stream().map(p -> p.substring(p.indexOf('@'))).distinct().count();
    assertThat(lustreSnapshots).as("four requests at once share Lustre snapshots").isBetween(1L, 3L);
    assertThat(taken).extracting(Snapshot::getSnapshotId).doesNotHaveDuplicates();

    for (Snapshot s : taken.subList(0, 3)) {
      delete(s.getSnapshotId());
    }
    assertThat(zfsSnapshots("snapb")).as("the last CSI snapshot keeps its Lustre snapshot").isNotEmpty();
    delete(taken.get(3).getSnapshotId());
    assertThat(zfsSnapshots("snapb")).isEmpty();
  }

  @Test
  void listSnapshotsFiltersBySnapshotAndSourceAndPaginates() {
    Volume v1 = controller.create("snapc-v1", 1L << 30, params("snapc"));
    Volume v2 = controller.create("snapc-v2", 1L << 30, params("snapc"));
    Snapshot a = snapshot("snapc-a", v1.getVolumeId());
    Snapshot b = snapshot("snapc-b", v1.getVolumeId());
    Snapshot c = snapshot("snapc-c", v2.getVolumeId());

    assertThat(list(ListSnapshotsRequest.newBuilder().setSourceVolumeId(v1.getVolumeId()).build()))
        .containsExactlyInAnyOrder(a, b);
    assertThat(list(ListSnapshotsRequest.newBuilder().setSnapshotId(c.getSnapshotId()).build())).containsExactly(c);
    assertThat(list(ListSnapshotsRequest.newBuilder().setSnapshotId("snapc@no-such").build())).isEmpty();
    assertThat(list(ListSnapshotsRequest.newBuilder().setSnapshotId(c.getSnapshotId()).setSourceVolumeId(v1.getVolumeId()).build()))
        .isEmpty();

    List<Snapshot> paged = new ArrayList<>();
    String token = "";
    do {
      ListSnapshotsResponse page = controller.csi().listSnapshots(ListSnapshotsRequest.newBuilder().setMaxEntries(1).setStartingToken(token).build());
      assertThat(page.getEntriesCount()).isLessThanOrEqualTo(1);
      page.getEntriesList().forEach(e -> paged.add(e.getSnapshot()));
      token = page.getNextToken();
    } while (!token.isEmpty());
    assertThat(paged).contains(a, b, c).doesNotHaveDuplicates();
    assertThat(controller.codeOf(() -> controller.csi().listSnapshots(ListSnapshotsRequest.newBuilder().setStartingToken("bogus").build())))
        .isEqualTo(Status.Code.ABORTED);
    for (Snapshot s : List.of(a, b, c)) {
      delete(s.getSnapshotId());
    }
    controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(v2.getVolumeId()).build()));
  }

  @Test
  void aGroupSnapshotIsOneLustreSnapshotOfVolumesOfOneFilesystem() {
    Volume v1 = controller.create("snapd-v1", 1L << 30, params("snapd"));
    Volume v2 = controller.create("snapd-v2", 1L << 30, params("snapd"));
    Volume v3 = controller.create("snapd-v3", 1L << 30, params("snapd"));
    GroupControllerGrpc.GroupControllerBlockingStub groups = GroupControllerGrpc.newBlockingStub(controller.channel());
    CreateVolumeGroupSnapshotRequest request = CreateVolumeGroupSnapshotRequest.newBuilder().setName("snapd-g1")
        .addSourceVolumeIds(v1.getVolumeId()).addSourceVolumeIds(v2.getVolumeId()).build();
    VolumeGroupSnapshot group = controller.asCo(() -> groups.createVolumeGroupSnapshot(request)).getGroupSnapshot();

    assertThat(group.getReadyToUse()).isTrue();
    assertThat(group.getSnapshotsList()).extracting(Snapshot::getSourceVolumeId).containsExactlyInAnyOrder(v1.getVolumeId(), v2.getVolumeId());
    assertThat(group.getSnapshotsList()).allSatisfy(s -> assertThat(s.getGroupSnapshotId()).isEqualTo(group.getGroupSnapshotId()));
    assertThat(zfsSnapshots("snapd")).as("one Lustre snapshot: one piece per target").hasSize(targetCount("snapd"));
    assertThat(controller.asCo(() -> groups.createVolumeGroupSnapshot(request)).getGroupSnapshot()).isEqualTo(group);
    assertThat(groups.getVolumeGroupSnapshot(GetVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId(group.getGroupSnapshotId()).build())
        .getGroupSnapshot()).isEqualTo(group);
    assertThat(list(ListSnapshotsRequest.newBuilder().setSourceVolumeId(v2.getVolumeId()).build())).containsExactly(
        group.getSnapshotsList().stream().filter(s -> s.getSourceVolumeId().equals(v2.getVolumeId())).findFirst().orElseThrow());

    assertThat(controller.codeOf(() -> groups.createVolumeGroupSnapshot(request.toBuilder().clearSourceVolumeIds()
        .addSourceVolumeIds(v3.getVolumeId()).build()))).isEqualTo(Status.Code.ALREADY_EXISTS);
    StatusRuntimeException mixed = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class, () ->
        groups.createVolumeGroupSnapshot(CreateVolumeGroupSnapshotRequest.newBuilder().setName("snapd-g2")
            .addSourceVolumeIds(v3.getVolumeId()).addSourceVolumeIds("otherfs/pvc-9").build()));
    assertThat(mixed.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(mixed.getStatus().getDescription()).contains("source_volume_ids", "otherfs/pvc-9", v3.getVolumeId());
    assertThat(controller.codeOf(() -> groups.createVolumeGroupSnapshot(CreateVolumeGroupSnapshotRequest.newBuilder().setName("snapd-g3")
        .addSourceVolumeIds("snapd/no-such-volume").build()))).isEqualTo(Status.Code.NOT_FOUND);

    DeleteVolumeGroupSnapshotRequest delete = DeleteVolumeGroupSnapshotRequest.newBuilder().setGroupSnapshotId(group.getGroupSnapshotId())
        .addAllSnapshotIds(group.getSnapshotsList().stream().map(Snapshot::getSnapshotId).toList()).build();
    assertThat(controller.codeOf(() -> groups.deleteVolumeGroupSnapshot(delete.toBuilder().clearSnapshotIds()
        .addSnapshotIds(delete.getSnapshotIds(0)).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    controller.asCo(() -> groups.deleteVolumeGroupSnapshot(delete));
    controller.asCo(() -> groups.deleteVolumeGroupSnapshot(delete));
    assertThat(zfsSnapshots("snapd")).isEmpty();
    assertThat(controller.codeOf(() -> groups.getVolumeGroupSnapshot(GetVolumeGroupSnapshotRequest.newBuilder()
        .setGroupSnapshotId(group.getGroupSnapshotId()).build()))).isEqualTo(Status.Code.NOT_FOUND);
  }

  /**
   * An OST a drain has deleted from the configuration (step Releasing) but whose pool its OSS has
   * not exported yet (here: zpool export fails, as for a pool still busy) holds no data and is in
   * no snapshot's forked configuration: a snapshot leaves it out, rather than failing for the
   * piece its server would otherwise add, and the OSS's other OST is in it as ever.
   */
  @Test
  void aSnapshotLeavesOutAnOstADrainIsReleasingAndTakesTheOtherOstsOfItsServer() {
    Map<String, String> params = Map.of("fsName", "snape", "ostSize", "10Gi", "maxOsts", "4", "ostsPerOss", "2");
    Volume kept = controller.create("snape-v1", 1L << 30, params);
    Volume grown = controller.create("snape-v2", 12L << 30, params);
    controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(grown.getVolumeId()).build()));
    OstDrains.await(java.time.Duration.ofSeconds(30), "two OSTs up on one OSS", () -> controller.filesystem("snape").getStatus().targets()
        .stream().filter(t -> t.kind().equals("OST") && "Up".equals(t.state()) && t.server().equals("snape-oss0")).count() == 2);
    servers().onCommand((server, argv) -> {
      if (argv.equals(List.of("zpool", "export", "lcsi-snape-ost0001"))) {
        throw new IllegalStateException("cannot export 'lcsi-snape-ost0001': pool is busy");
      }
    });
    try {
      OstDrains.editSpec(controller.cluster.client(), "snape", spec -> spec.withDrain(List.of(1)).withOstCount(1));
      OstDrains.await(java.time.Duration.ofSeconds(60), "OST0001 held at Releasing by the failing export", () -> {
        var drain = OstDrains.ost(controller.filesystem("snape"), 1).drain();
        return drain != null && DrainStatus.RELEASING.equals(drain.step()) && drain.message() != null;
      });

      Snapshot taken = snapshot("snape-s1", kept.getVolumeId());

      assertThat(taken.getReadyToUse()).isTrue();
      List<String> pieces = zfsSnapshots("snape");
      assertThat(pieces).as("MGT, MDT0000 and OST0000, nothing of the OST being released")
          .hasSize(3).anyMatch(p -> p.startsWith("lcsi-snape-ost0000/")).noneMatch(p -> p.startsWith("lcsi-snape-ost0001/"));
      assertThat(servers().frozen("snape")).isFalse();
      delete(taken.getSnapshotId());
      assertThat(zfsSnapshots("snape")).isEmpty();
    } finally {
      servers().onCommand(null);
    }
  }

  private static List<Snapshot> list(ListSnapshotsRequest request) {
    return controller.csi().listSnapshots(request).getEntriesList().stream().map(ListSnapshotsResponse.Entry::getSnapshot).toList();
  }
}
