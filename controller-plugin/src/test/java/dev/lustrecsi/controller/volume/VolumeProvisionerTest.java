package dev.lustrecsi.controller.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.parameters.StorageClassParameters;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeProvisionerTest {
  static final Map<String, String> PARAMS = Map.of("fsName", "fs1", "ostSize", "10Gi", "maxOsts", "4");

  @TempDir Path journalDir;
  final InMemoryLustre lustre = new InMemoryLustre();

  VolumeProvisioner provisioner() {
    return new VolumeProvisioner(new FileVolumeJournal(journalDir), lustre);
  }

  static VolumeRecord create(VolumeProvisioner provisioner, String name, long bytes, Map<String, String> params) {
    return provisioner.create(name, CapacityRequest.of(bytes, 0, "capacity_range"), StorageClassParameters.parse(params), params);
  }

  static VolumeRecord create(VolumeProvisioner provisioner, String name, long bytes) {
    return create(provisioner, name, bytes, PARAMS);
  }

  static Status.Code codeOf(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (CsiException e) {
      return e.code();
    }
  }

  @Test
  void createsADirectoryWithQuotaAndGrowsByWholeOsts() {
    VolumeProvisioner provisioner = provisioner();
    VolumeRecord first = create(provisioner, "pvc-a", 4 * Sizes.GIB);
    assertThat(first.state()).isEqualTo(VolumeRecord.State.READY);
    assertThat(lustre.ostCount("fs1")).isEqualTo(1);
    assertThat(lustre.quotas).containsEntry(first.projectId(), 4 * Sizes.GIB);

    VolumeRecord second = create(provisioner, "pvc-b", 12 * Sizes.GIB);
    assertThat(lustre.ostCount("fs1")).as("16 GiB committed needs two 10 GiB OSTs").isEqualTo(2);
    assertThat(second.projectId()).isNotEqualTo(first.projectId());
    assertThat(lustre.directories).containsKeys(first.id(), second.id());
  }

  @Test
  void sameNameAndParametersReturnsTheSameVolume() {
    VolumeProvisioner provisioner = provisioner();
    VolumeRecord first = create(provisioner, "pvc-a", Sizes.GIB);
    VolumeRecord again = create(provisioner, "pvc-a", Sizes.GIB);
    assertThat(again).isEqualTo(first);
    assertThat(lustre.calls.stream().filter("ensureVolumeDirectory"::equals)).hasSize(1);
  }

  @Test
  void sameNameWithOtherCapacityOrParametersIsAlreadyExists() {
    VolumeProvisioner provisioner = provisioner();
    create(provisioner, "pvc-a", Sizes.GIB);
    assertThat(codeOf(() -> create(provisioner, "pvc-a", 2 * Sizes.GIB))).isEqualTo(Status.Code.ALREADY_EXISTS);
    Map<String, String> otherStriping = new HashMap<>(PARAMS);
    otherStriping.put("stripeCount", "4");
    assertThat(codeOf(() -> create(provisioner, "pvc-a", Sizes.GIB, otherStriping))).isEqualTo(Status.Code.ALREADY_EXISTS);
    Map<String, String> otherFs = new HashMap<>(PARAMS);
    otherFs.put("fsName", "fs2");
    assertThat(codeOf(() -> create(provisioner, "pvc-a", Sizes.GIB, otherFs))).isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  @Test
  void provisionerMetadataDoesNotMakeARetryConflict() {
    VolumeProvisioner provisioner = provisioner();
    Map<String, String> withMetadata = new HashMap<>(PARAMS);
    withMetadata.put("csi.storage.k8s.io/pvc/name", "results");
    VolumeRecord first = create(provisioner, "pvc-a", Sizes.GIB, withMetadata);
    assertThat(create(provisioner, "pvc-a", Sizes.GIB, PARAMS).id()).isEqualTo(first.id());
  }

  @Test
  void aStorageClassDisagreeingOnTheFilesystemIsFailedPrecondition() {
    VolumeProvisioner provisioner = provisioner();
    create(provisioner, "pvc-a", Sizes.GIB);
    Map<String, String> biggerOsts = new HashMap<>(PARAMS);
    biggerOsts.put("ostSize", "20Gi");
    assertThatThrownBy(() -> create(provisioner, "pvc-b", Sizes.GIB, biggerOsts))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getMessage()).startsWith("parameters.ostSize");
        });
  }

  @Test
  void growthStopsAtTheLimit() {
    VolumeProvisioner provisioner = provisioner();
    assertThat(codeOf(() -> create(provisioner, "too-big", 41 * Sizes.GIB))).as("larger than 4 x 10 GiB ever").isEqualTo(Status.Code.OUT_OF_RANGE);
    create(provisioner, "pvc-a", 30 * Sizes.GIB);
    assertThat(codeOf(() -> create(provisioner, "pvc-b", 11 * Sizes.GIB))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(lustre.ostCount("fs1")).isEqualTo(3);
    assertThat(provisioner.availableCapacity(Optional.of(StorageClassParameters.parse(PARAMS)))).isEqualTo(10 * Sizes.GIB);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ensureFilesystem", "ensureOstCount", "ensureVolumeDirectory"})
  void aCrashAtAnyStepConvergesOnRetryWithNothingLeaked(String step) {
    VolumeProvisioner provisioner = provisioner();
    create(provisioner, "pvc-a", 8 * Sizes.GIB);
    lustre.failOnce = step;
    assertThatThrownBy(() -> create(provisioner, "pvc-b", 8 * Sizes.GIB)).isInstanceOf(InMemoryLustre.Crash.class);
    // A new controller process on the same journal: the retry finishes the work.
    VolumeProvisioner restarted = provisioner();
    VolumeRecord b = create(restarted, "pvc-b", 8 * Sizes.GIB);
    assertThat(b.state()).isEqualTo(VolumeRecord.State.READY);
    assertThat(lustre.ostCount("fs1")).isEqualTo(2);
    assertThat(lustre.directories).hasSize(2);
    assertThat(lustre.quotas).hasSize(2);
    assertThat(restarted.availableCapacity(Optional.empty())).isEqualTo(40 * Sizes.GIB - 16 * Sizes.GIB);
  }

  @Test
  void whileOstsComeUpCreateIsRetryableAndStartsNothingTwice() {
    VolumeProvisioner provisioner = provisioner();
    lustre.ostsComingUp = true;
    assertThat(codeOf(() -> create(provisioner, "pvc-a", 15 * Sizes.GIB))).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(codeOf(() -> create(provisioner, "pvc-a", 15 * Sizes.GIB))).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(lustre.ostCount("fs1")).isEqualTo(2);
    lustre.ostsComingUp = false;
    VolumeRecord volume = create(provisioner, "pvc-a", 15 * Sizes.GIB);
    assertThat(volume.state()).isEqualTo(VolumeRecord.State.READY);
    assertThat(lustre.ostCount("fs1")).isEqualTo(2);
    assertThat(lustre.calls.stream().filter("ensureOstCount"::equals)).hasSize(1);
  }

  @Test
  void concurrentCreatesOfOneNameMakeOneVolume() throws Exception {
    VolumeProvisioner provisioner = provisioner();
    int clients = 16;
    CountDownLatch start = new CountDownLatch(1);
    Set<String> ids = ConcurrentHashMap.newKeySet();
    try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int attempt = 0; attempt < 200; attempt++) {
            try {
              ids.add(create(provisioner, "pvc-same", Sizes.GIB).id().toString());
              return null;
            } catch (CsiException e) {
              assertThat(e.code()).isEqualTo(Status.Code.ABORTED);
              Thread.sleep(2);
            }
          }
          throw new AssertionError("never succeeded");
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    }
    assertThat(ids).hasSize(1);
    assertThat(lustre.directories).hasSize(1);
    assertThat(lustre.quotas).hasSize(1);
  }

  @Test
  void deleteIsIdempotentAndFreesCapacity() {
    VolumeProvisioner provisioner = provisioner();
    VolumeRecord volume = create(provisioner, "pvc-a", 5 * Sizes.GIB);
    provisioner.delete(volume.id().toString());
    provisioner.delete(volume.id().toString());
    provisioner.delete("not-an-id-of-ours");
    assertThat(lustre.directories).isEmpty();
    assertThat(lustre.quotas).isEmpty();
    assertThat(provisioner.get(volume.id())).isEmpty();
    assertThat(provisioner.availableCapacity(Optional.of(StorageClassParameters.parse(PARAMS)))).isEqualTo(40 * Sizes.GIB);
  }

  @Test
  void aCrashDuringDeleteConvergesOnRetry() {
    VolumeProvisioner provisioner = provisioner();
    VolumeRecord volume = create(provisioner, "pvc-a", 5 * Sizes.GIB);
    lustre.failOnce = "deleteVolumeDirectory";
    assertThatThrownBy(() -> provisioner.delete(volume.id().toString())).isInstanceOf(InMemoryLustre.Crash.class);
    assertThat(provisioner().get(volume.id())).get().extracting(VolumeRecord::state).isEqualTo(VolumeRecord.State.DELETING);
    provisioner().delete(volume.id().toString());
    assertThat(lustre.directories).isEmpty();
    assertThat(provisioner().get(volume.id())).isEmpty();
  }

  @Test
  void expandRaisesTheQuotaAndGrowsTheFilesystem() {
    VolumeProvisioner provisioner = provisioner();
    VolumeRecord volume = create(provisioner, "pvc-a", 5 * Sizes.GIB);
    VolumeRecord bigger = provisioner.expand(volume.id(), CapacityRequest.of(25 * Sizes.GIB, 0, "capacity_range"));
    assertThat(bigger.capacityBytes()).isEqualTo(25 * Sizes.GIB);
    assertThat(lustre.quotas).containsEntry(volume.projectId(), 25 * Sizes.GIB);
    assertThat(lustre.ostCount("fs1")).isEqualTo(3);
    assertThat(provisioner.expand(volume.id(), CapacityRequest.of(Sizes.GIB, 0, "capacity_range")).capacityBytes())
        .as("never shrinks").isEqualTo(25 * Sizes.GIB);
    assertThat(codeOf(() -> provisioner.expand(volume.id(), CapacityRequest.of(41 * Sizes.GIB, 0, "capacity_range"))))
        .isEqualTo(Status.Code.OUT_OF_RANGE);
  }

  @Test
  void aCrashBeforeTheQuotaChangeIsRepairedByTheRetry() {
    VolumeProvisioner provisioner = provisioner();
    VolumeRecord volume = create(provisioner, "pvc-a", 5 * Sizes.GIB);
    lustre.failOnce = "setQuota";
    assertThatThrownBy(() -> provisioner.expand(volume.id(), CapacityRequest.of(8 * Sizes.GIB, 0, "capacity_range")))
        .isInstanceOf(InMemoryLustre.Crash.class);
    assertThat(lustre.quotas).containsEntry(volume.projectId(), 5 * Sizes.GIB);
    provisioner().expand(volume.id(), CapacityRequest.of(8 * Sizes.GIB, 0, "capacity_range"));
    assertThat(lustre.quotas).containsEntry(volume.projectId(), 8 * Sizes.GIB);
  }

  @Test
  void projectIdsAreNeverReused() {
    VolumeProvisioner provisioner = provisioner();
    VolumeRecord a = create(provisioner, "pvc-a", Sizes.GIB);
    provisioner.delete(a.id().toString());
    VolumeRecord b = create(provisioner(), "pvc-b", Sizes.GIB);
    assertThat(b.projectId()).isGreaterThan(a.projectId());
  }

  @Test
  void rdmaTierVolumesNeedServersOnO2ib() {
    VolumeProvisioner provisioner = provisioner();
    Map<String, String> rdma = new HashMap<>(PARAMS);
    rdma.put("lnet", "o2ib");

    assertThatThrownBy(() -> create(provisioner, "pvc-r", Sizes.GIB, rdma))
        .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("parameters.lnet");
    assertThat(provisioner.get(new dev.lustrecsi.common.volume.VolumeId("fs1", "pvc-r"))).isEmpty();

    create(provisioner, "pvc-t", Sizes.GIB);  // the filesystem now exists, with tcp NIDs only
    assertThat(provisioner.mountContext("fs1")).containsExactly(Map.entry("mgsNids", "10.1.0.10@tcp"));
    rdma.put("lnetNetworks", "tcp,o2ib");
    assertThat(codeOf(() -> create(provisioner, "pvc-r", Sizes.GIB, rdma))).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }
}
