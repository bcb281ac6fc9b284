package dev.lustrecsi.controller.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.parameters.Striping;
import dev.lustrecsi.controller.snapshot.SnapshotBatchesTest.RecordedSnapshots;
import dev.lustrecsi.controller.snapshot.kubernetes.KubernetesSnapshotJournal;
import dev.lustrecsi.controller.volume.Abandonment;
import dev.lustrecsi.controller.volume.VolumeRecord;
import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CSI snapshots' records on an API server, with the servers' snapshot work recorded instead of run. */
class SnapshotServiceTest {
  static final String NAMESPACE = "lustre-csi";

  /**
   * The controller's clock, read by a CreateSnapshot between joining its batch and writing its
   * record: on the thread named {@link #SLOW}, the first reading waits for {@link #release}, as a
   * call that stalls there (a pause, a slow API server) would.
   */
  static final class StallingClock extends Clock {
    static final String SLOW = "slow-create";
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);

    void release() {
      released.countDown();
    }

    @Override
    public Instant instant() {
      if (Thread.currentThread().getName().equals(SLOW) && reached.getCount() > 0) {
        reached.countDown();
        try {
          released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Instant.now();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /** Records the servers' snapshot work; a destroy waits for {@link #releaseDestroy} once recorded. */
  static final class SlowDestroys extends RecordedSnapshots {
    final CountDownLatch releaseDestroy = new CountDownLatch(1);

    SlowDestroys() {
      super("");
    }

    @Override
    public void destroy(String fsName, String name) {
      super.destroy(fsName, name);
      try {
        releaseDestroy.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  final EmbeddedApiServer api = EmbeddedApiServer.start(NAMESPACE);
  final StallingClock clock = new StallingClock();
  final ExecutorService callers = Executors.newCachedThreadPool();
  final KubernetesClient client = api.newClient(settings -> {});
  final KubernetesSnapshotJournal journal = new KubernetesSnapshotJournal(client, NAMESPACE);
  final SlowDestroys lustre = new SlowDestroys();
  final SnapshotBatches batches = new SnapshotBatches(lustre, Duration.ZERO, Clock.systemUTC(), Duration.ofSeconds(30));
  final Map<VolumeId, VolumeRecord> volumes = Map.of(
      new VolumeId("fs1", "v1"), volume("v1"),
      new VolumeId("fs1", "v2"), volume("v2"));
  final SnapshotService snapshots = new SnapshotService(journal, id -> Optional.ofNullable(volumes.get(id)), batches, List::of,
      clock, new Abandonment(Duration.ofHours(1)));

  static VolumeRecord volume(String directory) {
    return new VolumeRecord(directory, new VolumeId("fs1", directory), 1 << 30, new Striping(1, 1 << 20, ""), 1000,
        VolumeRecord.State.READY, Map.of("fsName", "fs1"), Instant.parse("2026-12-01T00:00:00Z"));
  }

  @AfterEach
  void stop() {
    clock.release();
    lustre.releaseDestroy.countDown();
    callers.shutdownNow();
    client.close();
    api.close();
  }

  @Test
  void aRestoreStartingFromASnapshotAndItsDeletionKeepEachOtherOut() throws Exception {
    SnapshotRecord taken = snapshots.create("a", "fs1/v1");
    String id = taken.id().toString();

    // A restore has checked the snapshot; its volume's record is not written yet.
    try (SnapshotService.RestoreStart restoring = snapshots.startRestore(id)) {
      assertThatThrownBy(() -> snapshots.delete(id)).isInstanceOfSatisfying(CsiException.class, e -> {
        assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(e.getMessage()).contains(id, "being restored");
      });
    }
    assertThat(lustre.work).as("nothing destroyed").containsExactly("take " + taken.lustreSnapshot());
    assertThat(snapshots.get(id)).contains(taken);

    // A deletion in progress (here: its destroy is slow): a restore starting meanwhile is told to retry, then finds it gone.
    CompletableFuture<Void> deleted = CompletableFuture.runAsync(() -> snapshots.delete(id), callers);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lustre.work.size() == 2);
    assertThatThrownBy(() -> snapshots.startRestore(id).close())
        .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ABORTED));
    lustre.releaseDestroy.countDown();
    deleted.get(10, TimeUnit.SECONDS);
    try (SnapshotService.RestoreStart restoring = snapshots.startRestore(id)) {
      assertThat(snapshots.get(id)).isEmpty();
    }
  }

  @Test
  void aDeletionWaitsForAJoinerStillWritingItsRecordAndLeavesItTheSharedLustreSnapshot() throws Exception {
    lustre.releaseDestroy.countDown();  // destroys are not what this waits on
    // b joins the filesystem's batch and stalls before its record is written.
    CompletableFuture<SnapshotRecord> b = CompletableFuture.supplyAsync(() -> snapshots.create("b", "fs1/v2"),
        task -> Thread.ofPlatform().name(StallingClock.SLOW).start(task));
    assertThat(clock.reached.await(10, TimeUnit.SECONDS)).isTrue();
    // a joins the same batch, takes its Lustre snapshot for both, and its CO deletes it at once.
    SnapshotRecord a = snapshots.create("a", "fs1/v1");
    // On a thread of its own: the common pool is what the API client completes its calls on.
    CompletableFuture<Void> deleted = CompletableFuture.runAsync(() -> snapshots.delete(a.id().toString()), callers);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> journal.get(a.id().record())
        .map(r -> r.state() == SnapshotRecord.State.DELETING).orElse(true));
    try {
      deleted.get(2, TimeUnit.SECONDS);  // deciding now, without b's record, would destroy b's snapshot
    } catch (TimeoutException waiting) {
      // waiting for b's record: what should happen
    }
    clock.release();
    SnapshotRecord ready = b.get(10, TimeUnit.SECONDS);
    deleted.get(10, TimeUnit.SECONDS);

    assertThat(ready.lustreSnapshot()).as("b shares a's Lustre snapshot").isEqualTo(a.lustreSnapshot());
    assertThat(ready.state()).isEqualTo(SnapshotRecord.State.READY);
    assertThat(lustre.work).as("the Lustre snapshot b's READY record names is not destroyed").containsExactly("take " + a.lustreSnapshot());
    assertThat(journal.all()).containsExactly(ready);

    snapshots.delete(ready.id().toString());
    assertThat(lustre.work).containsExactly("take " + a.lustreSnapshot(), "destroy " + a.lustreSnapshot());
    assertThat(journal.all()).isEmpty();
  }
}
