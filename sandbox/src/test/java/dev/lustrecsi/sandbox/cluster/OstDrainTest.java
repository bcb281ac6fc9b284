package dev.lustrecsi.sandbox.cluster;

import static dev.lustrecsi.sandbox.cluster.OstDrains.await;
import static dev.lustrecsi.sandbox.cluster.OstDrains.ost;
import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.DeleteVolumeRequest;
import csi.v1.Volume;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.FilesystemCondition;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.metrics.ControllerMetrics;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draining an OST on the one path there is: spec.drain on the LustreFilesystem, the reconciler,
 * real agents over mutual TLS, the simulated Lustre commands beneath them. The files move off
 * the OST with their contents intact, the OST leaves the configuration, and its disk and its
 * emptied OSS VM are deleted; a drain the other OSTs cannot take waits with a condition that
 * names the shortfall.
 */
class OstDrainTest {
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

  static final Map<String, String> PARAMS = Map.of("fsName", "drain", "ostSize", "10Gi", "maxOsts", "4", "ostsPerOss", "1");

  static LustreFilesystem filesystem() {
    return controller.filesystem("drain");
  }

  static FilesystemCondition draining(LustreFilesystem filesystem) {
    return filesystem.getStatus().conditions().stream().filter(c -> c.type().equals("Draining")).findFirst().orElse(null);
  }

  @Test
  void aDrainWaitsWhileTheOtherOstsCannotHoldTheVolumesThenMovesEveryFileAndRemovesTheOstItsDiskAndItsServer() {
    Volume results = controller.create("drain-results", 4 * Sizes.GIB, PARAMS);
    Volume scratch = controller.create("drain-scratch", 12 * Sizes.GIB, PARAMS);
    assertThat(filesystem().getSpec().ostCount()).isEqualTo(2);
    OstDrains.writeFiles(controller, results, 12, 64 * 1024);
    OstDrains.writeFiles(controller, scratch, 12, 96 * 1024);
    await(Duration.ofSeconds(30), "the files placed and counted", () -> ost(filesystem(), 1).usedBytes() != null
        && ost(filesystem(), 1).usedBytes() > 0);
    List<String> onOst1 = OstDrains.filesOn(controller, "drain", 1);
    assertThat(onOst1).as("some files have objects on OST0001").isNotEmpty();
    Map<String, String> before = OstDrains.contents(controller, "drain");

    // Shrinking to one OST would leave 16 GiB of volumes on 10 GiB: refused, nothing moves.
    OstDrains.editSpec(controller.cluster.client(), "drain", spec -> spec.withDrain(List.of(1)).withOstCount(1));
    await(Duration.ofSeconds(30), "the drain refused", () -> draining(filesystem()) != null
        && draining(filesystem()).reason().equals("InsufficientCapacity"));
    FilesystemCondition refused = draining(filesystem());
    assertThat(refused.status()).isEqualTo("False");
    assertThat(refused.message()).contains("drain-OST0001").contains("volumes are promised 16 GiB").contains("short by 6 GiB");
    assertThat(ost(filesystem(), 1).drain().step()).isEqualTo(DrainStatus.WAITING);
    assertThat(filesystem().getStatus().draining()).isEqualTo("OST0001 Waiting");
    assertThat(OstDrains.filesOn(controller, "drain", 1)).isEqualTo(onOst1);

    // Keeping two OSTs has a replacement made first; then the drain goes, a few files per pass.
    Set<Long> filesLeftSeen = new ConcurrentSkipListSet<>();
    Set<Double> filesLeftServed = new ConcurrentSkipListSet<>();
    try (ControllerMetrics metrics = ControllerMetrics.start(controller.cluster.controller(),
        new ControllerMetrics.Settings(ControllerMetrics.Settings.DEFAULT_VOLUME_LIMIT, Duration.ofHours(1)))) {
      OstDrains.editSpec(controller.cluster.client(), "drain", spec -> spec.withOstCount(2).withDrainBatch(3));
      await(Duration.ofSeconds(90), "OST0001 removed", () -> {
        DrainStatus drain = ost(filesystem(), 1).drain();
        if (DrainStatus.MIGRATING.equals(drain.step()) && drain.filesLeft() != null) {
          filesLeftSeen.add(drain.filesLeft());
          filesLeftServed.addAll(ControllerGauges.values(metrics, ControllerMetrics.OST_DRAIN_FILES_LEFT, Map.of("ost", "drain-OST0001")));
        }
        return DrainStatus.REMOVED.equals(drain.step());
      });
      assertThat(filesLeftServed).as("lustre_csi_ost_drain_files_left{ost=drain-OST0001} while it migrates").isNotEmpty();
      assertThat(ControllerGauges.values(metrics, ControllerMetrics.OST_DRAIN_FILES_LEFT, Map.of("ost", "drain-OST0001"))).as("no series once the OST is removed").isEmpty();
    }
    assertThat(filesLeftSeen).as("progress in the status, batch by batch").hasSizeGreaterThan(1);

    // The pass after the last step recomputes the rest of the status.
    await(Duration.ofSeconds(10), "the status recomputed", () -> filesystem().getStatus().draining() == null);
    LustreFilesystem done = filesystem();
    assertThat(ost(done, 2).state()).isEqualTo("Up");
    assertThat(ost(done, 1).state()).isEqualTo("Removed");
    assertThat(ost(done, 1).drain().filesMigrated()).isEqualTo(onOst1.size());
    assertThat(OstDrains.filesOn(controller, "drain", 1)).as("lfs find --ost 1").isEmpty();
    assertThat(OstDrains.contents(controller, "drain")).as("every file, byte for byte").isEqualTo(before);
    var servers = controller.cluster.servers().filesystem("drain").orElseThrow();
    assertThat(servers.deactivated()).containsExactly(1);
    assertThat(servers.deleted()).as("del_ost").containsExactly(1);
    assertThat(servers.listedOsts()).extracting(t -> t.index()).containsExactly(0, 2);
    assertThat(done.getStatus().servers()).filteredOn(s -> s.name().equals("drain-oss1")).extracting(ServerStatus::state).containsExactly("Removed");
    assertThat(done.getStatus().phase()).isEqualTo("Ready");
    assertThat(done.getStatus().ostCount()).isEqualTo(2);
    assertThat(done.getStatus().draining()).isNull();
    assertThat(draining(done).reason()).isEqualTo("Drained");
    await(Duration.ofSeconds(10), "the emptied OSS VM gone", () -> controller.cluster.client()
        .genericKubernetesResources(KubeVirtSimulator.VMS).withName("drain-oss1").get() == null);
    assertThat(controller.cluster.client().persistentVolumeClaims().withName("drain-ost0001").get()).isNull();
    // The emptied OSS is gone from the metrics too: no state series, and not counted among the
    // servers on the image (the dashboard's rolling-upgrade panel), which are the 4 that run.
    try (ControllerMetrics metrics = ControllerMetrics.start(controller.cluster.controller(),
        new ControllerMetrics.Settings(0, Duration.ofHours(1)))) {
      assertThat(ControllerGauges.values(metrics, ControllerMetrics.FILESYSTEM_SERVERS_UPGRADED, Map.of("filesystem", "drain")))
          .as("servers on spec.serverImage, no upgrade ever ran").containsExactly(4.0);
      assertThat(ControllerGauges.values(metrics, ControllerMetrics.SERVER_STATE, Map.of("server", "drain-oss1"))).isEmpty();
    }
    assertThat(controller.cluster.client().secrets().withName("drain-oss1-cloudinit").get()).isNull();

    // New files never land on the removed OST, and the filesystem still takes volumes.
    Volume logs = controller.create("drain-logs", 2 * Sizes.GIB, PARAMS);
    OstDrains.writeFiles(controller, logs, 8, 4096);
    OstDrains.contents(controller, "drain");
    assertThat(controller.cluster.servers().placeObjects("drain").objects().values()).noneMatch(osts -> osts.contains(1));
    List<String> events = new ArrayList<>(controller.cluster.client().v1().events().list().getItems().stream()
        .map(e -> e.getReason()).toList());
    assertThat(events).contains("InsufficientCapacity", "DrainStarted", "OstEmpty", "OstRemoved", "OstDrained", "ServerRemoved");
  }

  /**
   * del_ost killed midway, after it cancelled the OST's records in the clients' log and before the
   * MDT's: that log would bring the OST back when the MDT mounts again, so the removal is not done
   * until a second del_ost has cleared it too.
   */
  @Test
  void aDelOstKilledMidwayIsRunAgainUntilNoConfigurationLogNamesTheOst() {
    OstDrains.threeOstsWithFiles(controller, "dkill");
    var servers = controller.cluster.servers();
    AtomicInteger delOsts = new AtomicInteger();
    servers.onCommand((server, argv) -> {
      if (argv.contains("del_ost") && argv.contains("dkill-OST0001") && delOsts.incrementAndGet() == 1) {
        servers.cancelRecords("dkill", "dkill-client", 1);
        throw new IllegalStateException("del_ost killed after the clients' log");
      }
    });
    try {
      OstDrains.editSpec(controller.cluster.client(), "dkill", spec -> spec.withDrain(List.of(1)).withOstCount(2).withDrainBatch(4));
      await(Duration.ofSeconds(90), "dkill-OST0001 removed",
          () -> ost(controller.filesystem("dkill"), 1).drain() != null
              && DrainStatus.REMOVED.equals(ost(controller.filesystem("dkill"), 1).drain().step()));
    } finally {
      servers.onCommand(null);
    }
    var fs = servers.filesystem("dkill").orElseThrow();
    assertThat(delOsts.get()).as("del_ost runs").isEqualTo(2);
    assertThat(fs.names("dkill-MDT0000", 1)).as("the MDT's log").isFalse();
    assertThat(fs.deleted()).as("out of every configuration log").containsExactly(1);
  }

  /**
   * The other way round: del_ost killed after it cancelled the OST's records in the MDT's log and
   * before the clients'. The next pass looks at the OST again before running del_ost again, and
   * stops creation first; the MDT, mounted from its cleaned log, has no osp device for the OST any
   * more. That must read as nothing to stop, not as a failure that holds the drain at Removing.
   */
  @Test
  void aDelOstKilledAfterTheMdtsLogIsRunAgainToo() {
    OstDrains.threeOstsWithFiles(controller, "drev");
    var servers = controller.cluster.servers();
    AtomicInteger delOsts = new AtomicInteger();
    servers.onCommand((server, argv) -> {
      if (argv.contains("del_ost") && argv.contains("drev-OST0001") && delOsts.incrementAndGet() == 1) {
        servers.cancelRecords("drev", "drev-MDT0000", 1);
        throw new IllegalStateException("del_ost killed after the MDT's log");
      }
    });
    try {
      OstDrains.editSpec(controller.cluster.client(), "drev", spec -> spec.withDrain(List.of(1)).withOstCount(2).withDrainBatch(4));
      await(Duration.ofSeconds(90), "drev-OST0001 removed",
          () -> ost(controller.filesystem("drev"), 1).drain() != null
              && DrainStatus.REMOVED.equals(ost(controller.filesystem("drev"), 1).drain().step()));
    } finally {
      servers.onCommand(null);
    }
    assertThat(delOsts.get()).as("del_ost runs").isEqualTo(2);
    assertThat(servers.filesystem("drev").orElseThrow().deleted()).as("out of every configuration log").containsExactly(1);
  }

  /**
   * An admin made a pool of OST0000 and OST0001: its records in the clients' log and the MDT's name
   * OST0001 too. del_ost cancels those with the OST's others, so the drain ends, and the pool keeps OST0000.
   */
  @Test
  void anOstInAnAdminsPoolIsDrainedToTheEnd() throws Exception {
    OstDrains.threeOstsWithFiles(controller, "dpool");
    var servers = controller.cluster.servers();
    servers.addPool("dpool", "flash", List.of(0, 1));
    OstDrains.editSpec(controller.cluster.client(), "dpool", spec -> spec.withDrain(List.of(1)).withOstCount(2).withDrainBatch(4));
    await(Duration.ofSeconds(90), "dpool-OST0001 removed", () -> ost(controller.filesystem("dpool"), 1).drain() != null
        && DrainStatus.REMOVED.equals(ost(controller.filesystem("dpool"), 1).drain().step()));
    var fs = servers.filesystem("dpool").orElseThrow();
    assertThat(fs.deleted()).as("out of every configuration log").containsExactly(1);
    assertThat(fs.names("dpool-client", 0)).as("OST0000 and its pool record stay in the log").isTrue();
  }

  /**
   * A volume whose pool, an admin's, holds OST0001 alone: the MDS makes its files' new objects in
   * the pool only, so with creation stopped on OST0001 lfs migrate cannot move them (ENOSPC). The
   * drain moves the others, then says why it stays at Migrating, naming the pool and what to do;
   * once the admin adds an OST to the pool it goes on by itself.
   */
  @Test
  void filesOfAPoolWhoseOnlyOstIsDrainedWaitWithTheReasonUntilThePoolHasAnotherOst() {
    OstDrains.threeOstsWithFiles(controller, "dflash");
    var servers = controller.cluster.servers();
    servers.addPool("dflash", "flash", List.of(1));
    Volume fast = controller.create("dflash-fast", 2 * Sizes.GIB,
        Map.of("fsName", "dflash", "ostSize", "10Gi", "maxOsts", "4", "ostsPerOss", "1", "pool", "flash"));
    OstDrains.writeFiles(controller, fast, 4, 16 * 1024);
    String directory = VolumeId.parse(fast.getVolumeId()).orElseThrow().directory() + "/";
    assertThat(objectsUnder(servers.placeObjects("dflash").objects(), directory)).hasSize(4).allSatisfy((file, osts) ->
        assertThat(osts).as("objects of " + file + ", made in pool flash").containsOnly(1));

    OstDrains.editSpec(controller.cluster.client(), "dflash", spec -> spec.withDrain(List.of(1)).withOstCount(2).withDrainBatch(20));
    await(Duration.ofSeconds(90), "the drain held by pool flash", () -> {
      DrainStatus drain = ost(controller.filesystem("dflash"), 1).drain();
      return drain != null && drain.message() != null && drain.message().startsWith("blocked:") && Long.valueOf(4).equals(drain.filesLeft());
    });
    DrainStatus held = ost(controller.filesystem("dflash"), 1).drain();
    assertThat(held.step()).isEqualTo(DrainStatus.MIGRATING);
    assertThat(held.message()).contains("4 files are in OST pool dflash.flash", "dflash-OST0001 is being drained",
        "No space left on device", "lctl pool_add dflash.flash");
    assertThat(OstDrains.filesOn(controller, "dflash", 1)).as("only the pool's files are left").allMatch(f -> f.startsWith(directory));
    assertThat(controller.cluster.client().v1().events().list().getItems()).extracting(e -> e.getReason()).contains("DrainBlockedByPool");

    servers.addPool("dflash", "flash", List.of(2));  // lctl pool_add dflash.flash OST0002
    await(Duration.ofSeconds(90), "dflash-OST0001 removed", () -> DrainStatus.REMOVED.equals(ost(controller.filesystem("dflash"), 1).drain().step()));
    assertThat(objectsUnder(servers.placeObjects("dflash").objects(), directory)).hasSize(4)
        .allSatisfy((file, osts) -> assertThat(osts).as("objects of " + file + ", still in pool flash").containsOnly(2));
  }

  private static Map<String, List<Integer>> objectsUnder(Map<String, List<Integer>> objects, String directory) {
    return objects.entrySet().stream().filter(e -> e.getKey().startsWith(directory))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  /**
   * The MDT mounted again right after the find that found the OST empty, before the OST is
   * deactivated: the MDS has forgotten max_create_count=0 and new files get objects on the OST.
   * Deactivating it then would cut them off; the drain must find and move them first.
   */
  @Test
  void filesMadeOnTheOstByAnMdtMountedAgainAfterTheLastFindAreMovedBeforeItIsDeactivated() throws Exception {
    Volume results = OstDrains.threeOstsWithFiles(controller, "dmount");
    var servers = controller.cluster.servers();
    Path directory = servers.namespace("dmount").resolve(VolumeId.parse(results.getVolumeId()).orElseThrow().directory());
    AtomicBoolean afterFind = new AtomicBoolean();
    List<String> madeOnOst1 = new CopyOnWriteArrayList<>();
    servers.onCommand((server, argv) -> {
      if (!server.startsWith("dmount-")) {
        return;
      }
      if (argv.contains("find") && argv.contains("--ost")) {
        afterFind.set(true);
      } else if (afterFind.getAndSet(false) && madeOnOst1.isEmpty() && OstDrains.filesOn(controller, "dmount", 1).isEmpty()) {
        // The find found nothing; now, before anything else, the MDT is mounted again and files are made.
        servers.unmount("dmount", TargetKind.MDT, 0);
        servers.mount("dmount", TargetKind.MDT, 0);
        try {
          for (int i = 0; i < 8; i++) {
            Files.write(directory.resolve("late-" + i), new byte[16 * 1024]);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        servers.placeObjects("dmount");
        madeOnOst1.addAll(OstDrains.filesOn(controller, "dmount", 1));
      }
    });
    try {
      OstDrains.editSpec(controller.cluster.client(), "dmount", spec -> spec.withDrain(List.of(1)).withOstCount(2).withDrainBatch(4));
      await(Duration.ofSeconds(90), "dmount-OST0001 removed", () -> ost(controller.filesystem("dmount"), 1).drain() != null
          && DrainStatus.REMOVED.equals(ost(controller.filesystem("dmount"), 1).drain().step()));
    } finally {
      servers.onCommand(null);
    }
    assertThat(madeOnOst1).as("files placed on OST0001 after its last find").isNotEmpty();
    assertThat(OstDrains.filesOn(controller, "dmount", 1)).as("files left with objects on the removed OST").isEmpty();
  }
}
