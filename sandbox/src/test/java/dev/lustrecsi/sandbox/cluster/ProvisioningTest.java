package dev.lustrecsi.sandbox.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.CapacityRange;
import csi.v1.ControllerExpandVolumeRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.GetCapacityRequest;
import csi.v1.Volume;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.cluster.LustreBackend;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.volume.kubernetes.LustreVolume;
import dev.lustrecsi.sandbox.lustre.SimulatedServers;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provisioning through the controller's CSI socket on the one path there is: LustreFilesystem
 * resources on an API server, the reconciler, VMs run by the KubeVirt simulator, real agents over
 * mutual TLS running the simulated Lustre commands. What a test checks on the servers it reads
 * from the simulated servers (directories, projects, quotas) and the API server (records, specs).
 * Each test works on a filesystem of its own.
 */
class ProvisioningTest {
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

  static Map<String, String> params(String fsName, String... more) {
    Map<String, String> params = new HashMap<>(Map.of("fsName", fsName, "ostSize", "10Gi", "maxOsts", "4"));
    for (int i = 0; i < more.length; i += 2) {
      params.put(more[i], more[i + 1]);
    }
    return params;
  }

  /** CreateVolume of a name made unique across the tests' filesystems (CSI names are one namespace). */
  static Volume create(String name, long bytes, Map<String, String> params) {
    return controller.create(params.get("fsName") + "-" + name, bytes, params);
  }

  static SimulatedServers.Filesystem servers(String fsName) {
    return controller.cluster.servers().filesystem(fsName).orElseThrow();
  }

  static long quotaOf(Volume volume) {
    VolumeId id = VolumeId.parse(volume.getVolumeId()).orElseThrow();
    SimulatedServers.Filesystem fs = servers(id.fsName());
    long project = fs.projects().get(id.directory()).id();
    return fs.blockLimitsKib().get(project) * Sizes.KIB;
  }

  static long projectOf(Volume volume) {
    VolumeId id = VolumeId.parse(volume.getVolumeId()).orElseThrow();
    return servers(id.fsName()).projects().get(id.directory()).id();
  }

  static int ostCount(String fsName) {
    return controller.filesystem(fsName).getSpec().ostCount();
  }

  static long available(Map<String, String> params) {
    return controller.csi().getCapacity(GetCapacityRequest.newBuilder().putAllParameters(params).build()).getAvailableCapacity();
  }

  static List<LustreVolume> recordsOf(String fsName) {
    return controller.records().stream().filter(v -> v.getSpec().fsName().equals(fsName)).toList();
  }

  static void delete(Volume volume) {
    controller.asCo(() -> controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).build()));
  }

  static Volume expand(Volume volume, long bytes) {
    long capacity = controller.asCo(() -> controller.csi().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
        .setVolumeId(volume.getVolumeId()).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(bytes)).build())).getCapacityBytes();
    return volume.toBuilder().setCapacityBytes(capacity).build();
  }

  @Test
  void volumesOfAFilesystemWhoseServersCannotBeReachedAreAbnormalAndTheOthersStillListed() {
    Volume up = create("up", Sizes.GIB, params("listup"));
    List<Volume> down = List.of(create("down1", Sizes.GIB, params("listdn")), create("down2", Sizes.GIB, params("listdn")));
    List<String> quotaReads = new java.util.concurrent.CopyOnWriteArrayList<>();
    controller.cluster.servers().onCommand((server, argv) -> {
      if (server.startsWith("listdn-") && argv.size() > 1 && argv.get(0).equals("lfs") && argv.get(1).equals("quota")) {
        quotaReads.add(server);
        throw dev.lustrecsi.common.error.CsiException.unavailable("the MDS does not answer (test)");
      }
    });
    try {
      Map<String, csi.v1.VolumeCondition> listed = new HashMap<>();
      for (var entry : controller.csi().listVolumes(csi.v1.ListVolumesRequest.getDefaultInstance()).getEntriesList()) {
        listed.put(entry.getVolume().getVolumeId(), entry.getStatus().getVolumeCondition());
      }
      assertThat(listed.get(up.getVolumeId()).getAbnormal()).isFalse();
      for (Volume volume : down) {
        assertThat(listed.get(volume.getVolumeId())).satisfies(condition -> {
          assertThat(condition.getAbnormal()).isTrue();
          assertThat(condition.getMessage()).contains("filesystem listdn's servers").contains("the MDS does not answer (test)");
        });
      }
      // Asked for one volume (twice: an MDS that does not answer is looked up again and retried), not for each.
      assertThat(quotaReads).as("a filesystem that cannot be reached is not asked again within the call").hasSizeLessThan(2 * down.size());
      assertThat(controller.csi().controllerGetVolume(csi.v1.ControllerGetVolumeRequest.newBuilder().setVolumeId(down.getFirst().getVolumeId())
          .build()).getStatus().getVolumeCondition().getAbnormal()).isTrue();
    } finally {
      controller.cluster.servers().onCommand(null);
    }
  }

  @Test
  void createsADirectoryWithQuotaAndGrowsByWholeOsts() {
    Volume first = create("pvc-a", 4 * Sizes.GIB, params("grow"));
    assertThat(ostCount("grow")).isEqualTo(1);
    assertThat(quotaOf(first)).isEqualTo(4 * Sizes.GIB);

    Volume second = create("pvc-b", 12 * Sizes.GIB, params("grow"));
    assertThat(ostCount("grow")).as("16 GiB committed needs two 10 GiB OSTs").isEqualTo(2);
    assertThat(controller.filesystem("grow").getStatus().ostCount()).isEqualTo(2);
    assertThat(projectOf(second)).isNotEqualTo(projectOf(first));
    assertThat(controller.cluster.servers().namespace("grow").resolve("grow-pvc-a")).isDirectory();
    assertThat(controller.cluster.servers().namespace("grow").resolve("grow-pvc-b")).isDirectory();
  }

  /** The volume's directory as a client mount of its filesystem shows it. */
  static Path directoryOf(Volume volume) {
    VolumeId id = VolumeId.parse(volume.getVolumeId()).orElseThrow();
    return controller.cluster.servers().namespace(id.fsName()).resolve(id.directory());
  }

  /** Owner, group and mode as {@code stat -c '%u:%g %04a'} prints them. */
  static String ownerAndMode(Path directory) throws IOException {
    Map<String, Object> attributes = Files.readAttributes(directory, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
    return attributes.get("uid") + ":" + attributes.get("gid") + " " + String.format("%04o", (Integer) attributes.get("mode") & 07777);
  }

  /**
   * A pod running as uid 1000 (as deploy/examples/pvc.yaml's does) can write into a volume of a
   * class that says so: the directory is made with the owner and mode asked for. Once the volume is
   * made the directory is its users': a retried CreateVolume does not undo their chmod.
   */
  @Test
  void aNewVolumesDirectoryHasTheOwnerAndModeOfItsClassAndKeepsWhatItsUsersSetSince() throws IOException {
    Map<String, String> group = params("owned", "directoryMode", "2770", "directoryUid", "1000", "directoryGid", "3000");
    Volume owned = create("pvc-a", Sizes.GIB, group);
    assertThat(ownerAndMode(directoryOf(owned))).isEqualTo("1000:3000 2770");

    Files.setAttribute(directoryOf(owned), "unix:mode", 0700);  // what the volume's owner may do in its pod
    assertThat(create("pvc-a", Sizes.GIB, group)).as("the same volume, asked for again").isEqualTo(owned);
    assertThat(ownerAndMode(directoryOf(owned))).isEqualTo("1000:3000 0700");

    assertThat(ownerAndMode(directoryOf(create("pvc-b", Sizes.GIB, params("owned")))))
        .as("by default a pod running as any user can write into its volume").isEqualTo("0:0 0777");
  }

  @Test
  void anOwnerOrModeOutOfRangeIsInvalidArgumentNamingTheParameterAndRecordsNothing() {
    assertThatThrownBy(() -> create("pvc-a", Sizes.GIB, params("badmode", "directoryMode", "17777")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith("parameters.directoryMode:");
        });
    assertThatThrownBy(() -> create("pvc-a", Sizes.GIB, params("badmode", "directoryUid", "4294967295")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith("parameters.directoryUid:");
        });
    assertThat(recordsOf("badmode")).isEmpty();
  }

  @Test
  void sameNameIsTheSameVolumeAndOtherArgumentsAreAlreadyExists() {
    Volume first = create("pvc-a", Sizes.GIB, params("same"));
    assertThat(create("pvc-a", Sizes.GIB, params("same"))).isEqualTo(first);
    Map<String, String> withMetadata = params("same", "csi.storage.k8s.io/pvc/name", "results");
    assertThat(create("pvc-a", Sizes.GIB, withMetadata)).as("the provisioner's metadata is no conflict").isEqualTo(first);

    assertThat(controller.codeOf(() -> create("pvc-a", 2 * Sizes.GIB, params("same")))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(controller.codeOf(() -> create("pvc-a", Sizes.GIB, params("same", "stripeCount", "4"))))
        .isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(controller.codeOf(() -> controller.create("same-pvc-a", Sizes.GIB, params("same2"))))
        .as("the name on another filesystem").isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(recordsOf("same")).hasSize(1);
    assertThat(recordsOf("same2")).isEmpty();
  }

  @Test
  void aStorageClassDisagreeingOnTheFilesystemIsFailedPreconditionNamingTheParameter() {
    create("pvc-a", Sizes.GIB, params("disagree"));
    assertThatThrownBy(() -> create("pvc-b", Sizes.GIB, params("disagree", "ostSize", "20Gi")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).startsWith("parameters.ostSize");
        });
    assertThat(recordsOf("disagree")).hasSize(1);
  }

  @Test
  void growthStopsAtTheLimit() {
    Map<String, String> params = params("limit");
    assertThat(controller.codeOf(() -> create("too-big", 41 * Sizes.GIB, params)))
        .as("larger than 4 x 10 GiB ever").isEqualTo(Status.Code.OUT_OF_RANGE);
    create("pvc-a", 30 * Sizes.GIB, params);
    assertThat(controller.codeOf(() -> create("pvc-b", 11 * Sizes.GIB, params))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(ostCount("limit")).isEqualTo(3);
    assertThat(available(params)).isEqualTo(10 * Sizes.GIB);
    assertThat(recordsOf("limit")).hasSize(1);
  }

  @Test
  void concurrentCreatesOfOneNameMakeOneVolume() throws Exception {
    int clients = 16;
    CountDownLatch start = new CountDownLatch(1);
    Set<String> ids = ConcurrentHashMap.newKeySet();
    try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          ids.add(create("pvc-same", Sizes.GIB, params("onename")).getVolumeId());
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    }
    assertThat(ids).hasSize(1);
    assertThat(recordsOf("onename")).hasSize(1);
    assertThat(servers("onename").blockLimitsKib()).hasSize(1);
  }

  @Test
  void concurrentCreatesNeverCommitMoreThanTheGrowthLimit() throws Exception {
    // 4 OSTs of 10 GiB: eight 5 GiB volumes fit, the other four must be refused.
    create("first", 5 * Sizes.GIB, params("crowd"));
    List<Future<Status.Code>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(11)) {
      for (int i = 0; i < 11; i++) {
        String name = "pvc-" + i;
        results.add(pool.submit(() -> controller.codeOf(() -> create(name, 5 * Sizes.GIB, params("crowd")))));
      }
      List<Status.Code> codes = new ArrayList<>();
      for (Future<Status.Code> result : results) {
        codes.add(result.get());
      }
      assertThat(codes).filteredOn(c -> c == Status.Code.OK).hasSize(7);
      assertThat(codes).filteredOn(c -> c == Status.Code.RESOURCE_EXHAUSTED).hasSize(4);
    }
    assertThat(available(params("crowd"))).isZero();
    assertThat(recordsOf("crowd")).hasSize(8);
  }

  @Test
  void deleteIsIdempotentAndFreesCapacity() {
    Volume volume = create("pvc-a", 5 * Sizes.GIB, params("del"));
    delete(volume);
    delete(volume);
    controller.csi().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId("not-an-id-of-ours").build());
    assertThat(controller.cluster.servers().namespace("del").resolve("del-pvc-a")).doesNotExist();
    assertThat(servers("del").blockLimitsKib()).isEmpty();
    assertThat(recordsOf("del")).isEmpty();
    assertThat(available(params("del"))).isEqualTo(40 * Sizes.GIB);
  }

  @Test
  void expandRaisesTheQuotaAndGrowsTheFilesystem() {
    Volume volume = create("pvc-a", 5 * Sizes.GIB, params("expand"));
    Volume bigger = expand(volume, 25 * Sizes.GIB);
    assertThat(bigger.getCapacityBytes()).isEqualTo(25 * Sizes.GIB);
    assertThat(quotaOf(volume)).isEqualTo(25 * Sizes.GIB);
    assertThat(ostCount("expand")).isEqualTo(3);
    assertThat(expand(volume, Sizes.GIB).getCapacityBytes()).as("never shrinks").isEqualTo(25 * Sizes.GIB);
    assertThat(controller.codeOf(() -> expand(volume, 41 * Sizes.GIB))).isEqualTo(Status.Code.OUT_OF_RANGE);
  }

  @Test
  void projectIdsAreNeverReusedAcrossRestartsAndAtMostABlockIsSkipped() {
    Set<Long> seen = new HashSet<>();
    long last = 0;
    for (int restart = 0; restart < 3; restart++) {
      for (int i = 0; i < 20; i++) {
        Volume volume = create("pvc-" + restart + "-" + i, Sizes.MIB, params("ids"));
        long id = projectOf(volume);
        assertThat(seen.add(id)).as("project id %d handed out twice", id).isTrue();
        assertThat(id).isGreaterThan(last);
        last = id;
        if (i % 2 == 0) {
          delete(volume);
        }
      }
      controller.restart();
    }
    // Each restart skips what was left of the block in use, never more.
    assertThat(last).isLessThan(LustreBackend.FIRST_PROJECT_ID + 60 + 3 * 64);
    assertThat(controller.filesystem("ids").getStatus().nextProjectId()).isGreaterThan((int) last);
  }

  @Test
  void rdmaTierVolumesNeedServersOnO2ib() {
    Map<String, String> rdma = params("rdma", "lnet", "o2ib");
    create("pvc-t", Sizes.GIB, params("rdma"));  // the filesystem exists, with tcp NIDs only
    assertThatThrownBy(() -> create("pvc-r", Sizes.GIB, rdma))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).startsWith("parameters.lnet")
              .contains("offer " + controller.filesystem("rdma").getStatus().servers().getFirst().nids().getFirst() + ")");
        });
    assertThat(recordsOf("rdma")).hasSize(1);
  }

  /**
   * A filesystem an admin wrote (10 GiB OSTs, a limit of 40), and a StorageClass that names only
   * its fsName: the sizes it leaves to their defaults (1 TiB OSTs, 64 of them) are not held
   * against the filesystem, and the volume is admitted against the filesystem's own limit.
   */
  @Test
  void aStorageClassNamingOnlyTheFsNameUsesAFilesystemAnAdminMade() {
    LustreFilesystem made = new LustreFilesystem();
    made.setMetadata(new ObjectMetaBuilder().withName(ResourceNames.of("admin").filesystem()).build());
    made.setSpec(new LustreFilesystemSpec("admin", SimulatedCluster.DEFAULTS.serverImage(), null, null, "10Gi", 1, 1, 40, null, null, 2,
        null, List.of("tcp"), new LustreFilesystemSpec.StorageNetwork("lustre-csi/lnet", "10.9.2.0/24", null), null));
    controller.cluster.client().resources(LustreFilesystem.class).resource(made).create();

    Volume volume = create("pvc-a", 5 * Sizes.GIB, Map.of("fsName", "admin"));

    assertThat(volume.getCapacityBytes()).isEqualTo(5 * Sizes.GIB);
    assertThat(quotaOf(volume)).isEqualTo(5 * Sizes.GIB);
    assertThatThrownBy(() -> create("pvc-huge", 401 * Sizes.GIB, Map.of("fsName", "admin")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
          assertThat(e.getStatus().getDescription()).contains("40 OSTs of 10 GiB");
        });
  }

  /**
   * A filesystem an admin described with too few addresses for its servers: the reconciler marks
   * it Failed (Ready=False, reason InvalidSpec), and CreateVolume says so, naming the field, with
   * nothing recorded.
   */
  @Test
  void aFilesystemWhoseSpecCannotBePlannedIsFailedPreconditionAndRecordsNothing() {
    LustreFilesystem tight = new LustreFilesystem();
    tight.setMetadata(new ObjectMetaBuilder().withName(ResourceNames.of("tight").filesystem()).build());
    tight.setSpec(new LustreFilesystemSpec("tight", SimulatedCluster.DEFAULTS.serverImage(), null, null, "10Gi", 1, 1, 4, null, null, 2,
        null, List.of("tcp"), new LustreFilesystemSpec.StorageNetwork("lustre-csi/lnet", "10.9.0.0/28", 13), null));
    controller.cluster.client().resources(LustreFilesystem.class).resource(tight).create();

    assertThatThrownBy(() -> create("pvc-a", Sizes.GIB, params("tight")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).startsWith("spec.storageNetwork.cidr has no free address left for server tight-oss0");
        });
    var status = controller.filesystem("tight").getStatus();
    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.conditions()).anySatisfy(c -> {
      assertThat(c.type()).isEqualTo("Ready");
      assertThat(c.status()).isEqualTo("False");
      assertThat(c.reason()).isEqualTo("InvalidSpec");
      assertThat(c.message()).contains("spec.storageNetwork.cidr");
    });
    assertThat(recordsOf("tight")).isEmpty();
  }

  /**
   * Growth that would need a server address the storage network no longer has: the volume is
   * refused naming the field and withdrawn, the filesystem keeps serving, its spec is not raised,
   * and the capacity is free again.
   */
  @Test
  void growthPastTheAddressesLeftIsFailedPreconditionAndTheVolumeIsWithdrawn() {
    // A /28 from the 10th address has five: MGS, MDS and three OSS VMs of one OST each.
    Map<String, String> params = params("addr", "storageCidr", "10.9.1.0/28", "ostsPerOss", "1", "maxOsts", "8");
    create("pvc-a", 25 * Sizes.GIB, params);
    assertThat(ostCount("addr")).isEqualTo(3);
    long before = available(params);

    assertThatThrownBy(() -> create("pvc-b", 10 * Sizes.GIB, params))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).startsWith("spec.storageNetwork.cidr has no free address left").contains("4 OSTs");
        });
    assertThat(recordsOf("addr")).extracting(v -> v.getSpec().name()).containsExactly("addr-pvc-a");
    assertThat(ostCount("addr")).as("the spec is not raised past what can be planned").isEqualTo(3);
    assertThat(controller.filesystem("addr").getStatus().phase()).isEqualTo("Ready");
    assertThat(available(params)).as("the withdrawn volume's capacity is free again").isEqualTo(before);
    assertThat(controller.cluster.servers().namespace("addr").resolve("addr-pvc-b")).doesNotExist();
  }

  /**
   * A stripe size of 4 GiB, which Lustre's lfs refuses (it must be below 4 GiB): once the
   * controller took it and the agent refused it, and CreateVolume answered UNAVAILABLE forever.
   * The controller and the agent now share one set of striping rules, so it is refused before
   * anything is recorded; AgentHopTest proves that an agent's own refusal keeps its code.
   */
  @Test
  void aStripingLustreRefusesIsInvalidArgumentNotRetryLater() {
    assertThatThrownBy(() -> create("pvc-a", Sizes.GIB, params("stripe", "stripeSize", "4Gi")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("stripe");
        });
    assertThat(recordsOf("stripe")).as("a volume that can never be made is withdrawn").isEmpty();
  }
}
