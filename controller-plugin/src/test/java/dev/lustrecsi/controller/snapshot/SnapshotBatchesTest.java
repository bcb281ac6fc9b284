package dev.lustrecsi.controller.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How CSI snapshots share Lustre snapshots, with the servers' snapshot work recorded instead of run. */
class SnapshotBatchesTest {
  /** Records every take and destroy; a take of a name listed in {@code blocking} waits for {@code release}. */
  static class RecordedSnapshots implements SnapshotBatches.Snapshotter {
    final List<String> work = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch blocked = new CountDownLatch(1);
    final String blocking;

    RecordedSnapshots(String blocking) {
      this.blocking = blocking;
    }

    @Override
    public long take(String fsName, String name) {
      work.add("take " + name);
      if (name.equals(blocking)) {
        blocked.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return work.size();
    }

    @Override
    public void destroy(String fsName, String name) {
      work.add("destroy " + name);
    }

    @Override
    public void requireSnapshottable(String fsName) {}
  }

  /** A joiner of fs1's batch whose record is written at once. */
  static SnapshotBatches.Batch joined(SnapshotBatches batches) {
    try (SnapshotBatches.Joined joined = batches.join("fs1")) {
      return joined.batch();
    }
  }

  @Test
  void aBatchWhoseCallerGaveUpWaitingIsTakenOnceByItsRetryAndNewcomersOpenTheNextOne() throws Exception {
    RecordedSnapshots lustre = new RecordedSnapshots("clone-slow");
    SnapshotBatches batches = new SnapshotBatches(lustre, Duration.ZERO, Clock.systemUTC(), Duration.ofMillis(200));
    // Another snapshot work of the filesystem (a clone's own snapshot, say) holds its lock for long.
    CompletableFuture<Long> slow = CompletableFuture.supplyAsync(() -> batches.takeAlone("fs1", "clone-slow"));
    assertThat(lustre.blocked.await(5, TimeUnit.SECONDS)).isTrue();

    SnapshotBatches.Batch first = joined(batches);
    assertThatThrownBy(() -> batches.await(first)).as("the caller gives up waiting and records nothing READY")
        .isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ABORTED));
    lustre.release.countDown();
    slow.get(5, TimeUnit.SECONDS);

    // Its retry finds its record CREATING on the batch's snapshot, proved whole by nobody: it takes it.
    long taken = batches.retake("fs1", first.name(), () -> -1);
    SnapshotBatches.Batch next = joined(batches);
    long later = batches.await(next);

    assertThat(next.name()).as("a newcomer opens the next batch").isNotEqualTo(first.name());
    assertThat(lustre.work).containsExactly("take clone-slow", "take " + first.name(), "take " + next.name());
    assertThat(later).isGreaterThan(taken);
  }

  @Test
  void everyoneWhoJoinedABatchSharesOneSnapshot() {
    RecordedSnapshots lustre = new RecordedSnapshots("");
    SnapshotBatches batches = new SnapshotBatches(lustre, Duration.ZERO, Clock.systemUTC(), Duration.ofSeconds(5));
    SnapshotBatches.Batch a = joined(batches);
    SnapshotBatches.Batch b = joined(batches);
    assertThat(b).isSameAs(a);
    assertThat(batches.await(a)).isEqualTo(batches.await(b));
    assertThat(lustre.work).containsExactly("take " + a.name());
  }

  @Test
  void aRetakeRightAfterAJoinerTookTheBatchKeepsItsSnapshotThoughNoRecordSaysReadyYet() {
    RecordedSnapshots lustre = new RecordedSnapshots("");
    SnapshotBatches batches = new SnapshotBatches(lustre, Duration.ZERO, Clock.systemUTC(), Duration.ofSeconds(5));
    SnapshotBatches.Batch batch = joined(batches);
    // One joiner takes the batch; it writes its READY record only after letting go of the lock.
    long creation = batches.await(batch);
    // Another joiner's retry (its call gave up waiting) gets the lock first: no record is READY yet.
    long retaken = batches.retake("fs1", batch.name(), () -> -1);

    assertThat(retaken).isEqualTo(creation);
    assertThat(lustre.work).as("the snapshot handed out as ready is not destroyed and taken later").containsExactly("take " + batch.name());
  }

  @Test
  void aBatchLeftOpenWhoseSnapshotIsDestroyedIsJoinedByNoOneAfter() {
    RecordedSnapshots lustre = new RecordedSnapshots("");
    SnapshotBatches batches = new SnapshotBatches(lustre, Duration.ZERO, Clock.systemUTC(), Duration.ofSeconds(5));
    // Its only joiner gave up waiting, and its record is withdrawn: nothing shares the snapshot.
    SnapshotBatches.Batch abandoned = joined(batches);
    assertThat(batches.destroyUnlessShared("fs1", abandoned.name(), () -> false)).isTrue();
    // A newcomer must not join it: its take could come before the destroy, which would take away what it recorded READY.
    SnapshotBatches.Batch next = joined(batches);
    batches.await(next);

    assertThat(next.name()).isNotEqualTo(abandoned.name());
    assertThat(lustre.work).containsExactly("destroy " + abandoned.name(), "take " + next.name());
    assertThat(batches.destroyUnlessShared("fs1", next.name(), () -> true)).as("shared: kept").isFalse();
    assertThat(lustre.work).containsExactly("destroy " + abandoned.name(), "take " + next.name());
  }

  @Test
  void aSnapshotDestroyedSinceItWasTakenIsTakenAgainByARetake() {
    RecordedSnapshots lustre = new RecordedSnapshots("");
    SnapshotBatches batches = new SnapshotBatches(lustre, Duration.ZERO, Clock.systemUTC(), Duration.ofSeconds(5));
    SnapshotBatches.Batch batch = joined(batches);
    batches.await(batch);
    batches.destroy("fs1", batch.name());
    batches.retake("fs1", batch.name(), () -> -1);

    assertThat(lustre.work).containsExactly("take " + batch.name(), "destroy " + batch.name(), "take " + batch.name());
  }
}
