package dev.lustrecsi.controller.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.snapshot.SnapshotBatchesTest.RecordedSnapshots;
import dev.lustrecsi.controller.snapshot.SnapshotServiceTest.StallingClock;
import dev.lustrecsi.controller.snapshot.kubernetes.KubernetesSnapshotJournal;
import dev.lustrecsi.controller.snapshot.kubernetes.SnapshotObjects;
import dev.lustrecsi.controller.volume.Abandonment;
import dev.lustrecsi.controller.volume.VolumeRecord;
import dev.lustrecsi.kubevirt.simulator.EmbeddedApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group snapshots' records on an API server, with the servers' snapshot work recorded instead of
 * run: a group a crashed call left half-written, finished while a member of it is withdrawn.
 */
class GroupSnapshotsTest {
  static final String LUSTRE_SNAPSHOT = "lcsi-20261201-000000-abcdef";

  final EmbeddedApiServer api = EmbeddedApiServer.start(SnapshotServiceTest.NAMESPACE);
  final StallingClock clock = new StallingClock();
  /** Released by the test: a lookup of volume v2 on the slow thread waits for it. */
  final CountDownLatch lookupReleased = new CountDownLatch(1);
  final CountDownLatch lookupReached = new CountDownLatch(1);
  final KubernetesClient client = api.newClient(settings -> {});
  final KubernetesSnapshotJournal journal = new KubernetesSnapshotJournal(client, SnapshotServiceTest.NAMESPACE);
  final RecordedSnapshots lustre = new RecordedSnapshots("");
  /** A deletion waits this long for the joiners before it answers ABORTED: short, the retry below stalls for as long as the test wants. */
  final SnapshotBatches batches = new SnapshotBatches(lustre, Duration.ZERO, Clock.systemUTC(), Duration.ofSeconds(1));
  final Map<VolumeId, VolumeRecord> volumes = Map.of(
      new VolumeId("fs1", "v1"), SnapshotServiceTest.volume("v1"),
      new VolumeId("fs1", "v2"), SnapshotServiceTest.volume("v2"));
  final SnapshotService snapshots = new SnapshotService(journal, id -> Optional.ofNullable(volumes.get(id)), batches, List::of,
      clock, new Abandonment(Duration.ofHours(1)));
  final GroupSnapshots groups = new GroupSnapshots(journal, this::stallingLookup, batches, snapshots, clock);

  /** The volumes as the group snapshots look them up: v2 on the slow thread waits for {@link #lookupReleased} once. */
  private Optional<VolumeRecord> stallingLookup(VolumeId id) {
    if (Thread.currentThread().getName().equals(StallingClock.SLOW) && id.directory().equals("v2") && lookupReached.getCount() > 0) {
      lookupReached.countDown();
      try {
        lookupReleased.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return Optional.ofNullable(volumes.get(id));
  }

  @AfterEach
  void stop() {
    clock.release();
    lookupReleased.countDown();
    client.close();
    api.close();
  }

  /** What a CreateVolumeGroupSnapshot of v1 and v2 that died after writing v1's member left: one CREATING member, last asked for long ago. */
  private SnapshotRecord crashedGroupsMember() {
    String name = "g/fs1/v1";
    SnapshotRecord member = new SnapshotRecord(name, new SnapshotId("fs1", SnapshotObjects.objectName(name)), new VolumeId("fs1", "v1"),
        LUSTRE_SNAPSHOT, 1 << 30, 0, SnapshotRecord.State.CREATING, SnapshotObjects.objectName("g"), Instant.now().minus(Duration.ofHours(2)));
    journal.put(member);
    return member;
  }

  /** The CO's retry of the group, on the thread whose first clock reading (writing v2's member) or lookup of v2 stalls. */
  private CompletableFuture<GroupSnapshots.Group> slowRetry() {
    return CompletableFuture.supplyAsync(() -> groups.create("g", List.of("fs1/v1", "fs1/v2")),
        task -> Thread.ofPlatform().name(StallingClock.SLOW).start(task));
  }

  private static Status.Code codeOf(CompletableFuture<?> call) throws InterruptedException {
    try {
      call.get(30, TimeUnit.SECONDS);
      return Status.Code.OK;
    } catch (ExecutionException e) {
      return e.getCause() instanceof CsiException csi ? csi.code() : Status.Code.UNKNOWN;
    } catch (TimeoutException e) {
      throw new AssertionError("the call did not end", e);
    }
  }

  @Test
  void aMemberWithdrawnWhileARetryWritesTheMissingOnesLeavesTheLustreSnapshotToThem() throws Exception {
    lookupReleased.countDown();  // this retry stalls writing v2's member instead
    SnapshotRecord left = crashedGroupsMember();
    CompletableFuture<GroupSnapshots.Group> retry = slowRetry();
    assertThat(clock.reached.await(10, TimeUnit.SECONDS)).as("the retry is writing v2's member").isTrue();

    // The sweep withdraws v1's member meanwhile: it must not decide that the Lustre snapshot is
    // unshared while the retry is writing a member naming it (here the retry outlasts its wait).
    Throwable withdrawal = catchThrowable(() -> snapshots.withdrawAbandoned(left));
    assertThat(lustre.work).as("the Lustre snapshot v2's member is being written on is not destroyed").isEmpty();
    assertThat(withdrawal).isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ABORTED));

    clock.release();
    assertThat(codeOf(retry)).as("the retry, whose member v1 is being withdrawn").isEqualTo(Status.Code.ABORTED);
    SnapshotRecord withdrawing = journal.get(left.id().record()).orElseThrow();
    assertThat(snapshots.withdrawAbandoned(withdrawing)).as("the next sweep finishes the withdrawal").isTrue();
    assertThat(lustre.work).as("v2's member still names the Lustre snapshot").isEmpty();

    GroupSnapshots.Group group = groups.create("g", List.of("fs1/v1", "fs1/v2"));
    assertThat(group.ready()).isTrue();
    assertThat(group.members()).extracting(SnapshotRecord::lustreSnapshot).containsOnly(LUSTRE_SNAPSHOT);
    assertThat(lustre.work).as("taken once, never destroyed under its members").containsExactly("take " + LUSTRE_SNAPSHOT);
  }

  @Test
  void aRetryWhoseMembersWereWithdrawnSinceItReadThemWritesNothingOnTheirLustreSnapshot() throws Exception {
    clock.release();  // this retry stalls looking v2 up instead
    SnapshotRecord left = crashedGroupsMember();
    CompletableFuture<GroupSnapshots.Group> retry = slowRetry();
    assertThat(lookupReached.await(10, TimeUnit.SECONDS)).as("the retry has read the members and looks v2 up").isTrue();

    // Withdrawn whole before the retry writes anything: nothing else names the Lustre snapshot, so it goes.
    assertThat(snapshots.withdrawAbandoned(left)).isTrue();
    assertThat(lustre.work).containsExactly("destroy " + LUSTRE_SNAPSHOT);

    lookupReleased.countDown();
    assertThat(codeOf(retry)).isEqualTo(Status.Code.ABORTED);
    assertThat(journal.all()).as("no member written naming the destroyed Lustre snapshot").isEmpty();

    GroupSnapshots.Group group = groups.create("g", List.of("fs1/v1", "fs1/v2"));
    assertThat(group.ready()).isTrue();
    assertThat(group.members()).hasSize(2).extracting(SnapshotRecord::lustreSnapshot).doesNotContain(LUSTRE_SNAPSHOT);
  }

  /**
   * A retry finishing a group whose members were read CREATING, asked for recently (no refresh
   * due), while the leader withdraws them: its clock is ahead of this controller's by more than
   * the abandonment time less a quarter, so to it the members look abandoned. The retry's READY
   * write must not bring a withdrawn member back: it would name a Lustre snapshot retaken for no
   * one, and be handed out as a snapshot that no record of its group survives for.
   */
  @Test
  void aMemberWithdrawnWhileARetryFinishesItIsNotWrittenReadyAgain() throws Exception {
    lookupReleased.countDown();  // this retry looks nothing up: it stalls on its first clock reading, refreshing v1's member
    Instant recently = Instant.now().minus(Duration.ofMinutes(10));
    for (String volume : List.of("v1", "v2")) {
      String name = "g/fs1/" + volume;
      journal.put(new SnapshotRecord(name, new SnapshotId("fs1", SnapshotObjects.objectName(name)), new VolumeId("fs1", volume),
          LUSTRE_SNAPSHOT, 1 << 30, 0, SnapshotRecord.State.CREATING, SnapshotObjects.objectName("g"), recently));
    }
    CompletableFuture<GroupSnapshots.Group> retry = slowRetry();
    assertThat(clock.reached.await(10, TimeUnit.SECONDS)).as("the retry has read the members and is about to finish v1's").isTrue();

    AbandonedSnapshots leaderAhead = new AbandonedSnapshots(snapshots, journal::all, Clock.offset(Clock.systemUTC(), Duration.ofHours(2)),
        new Abandonment(Duration.ofHours(1)));
    assertThat(leaderAhead.sweep()).containsExactlyInAnyOrder("g/fs1/v1", "g/fs1/v2");
    assertThat(journal.all()).isEmpty();
    assertThat(lustre.work).containsExactly("destroy " + LUSTRE_SNAPSHOT);

    clock.release();
    assertThat(codeOf(retry)).as("the retry, whose members were withdrawn after it read them").isEqualTo(Status.Code.ABORTED);
    assertThat(journal.all()).as("no withdrawn member written READY again").isEmpty();
    assertThat(lustre.work).as("the Lustre snapshot the retry took again for nobody is destroyed").last().isEqualTo("destroy " + LUSTRE_SNAPSHOT);

    GroupSnapshots.Group group = groups.create("g", List.of("fs1/v1", "fs1/v2"));
    assertThat(group.ready()).as("the CO's next retry takes the group anew").isTrue();
    assertThat(group.members()).hasSize(2).extracting(SnapshotRecord::lustreSnapshot).doesNotContain(LUSTRE_SNAPSHOT);
  }

  @Test
  void aMemberOfAGroupIsDeletedWithItsGroupOnly() {
    GroupSnapshots.Group group = groups.create("g", List.of("fs1/v1", "fs1/v2"));
    String memberId = group.members().getFirst().id().toString();

    assertThatThrownBy(() -> snapshots.delete(memberId)).isInstanceOfSatisfying(CsiException.class, e -> {
      assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      assertThat(e.getMessage()).contains("snapshot_id", memberId, group.id(), "DeleteVolumeGroupSnapshot");
    });
    assertThat(journal.all()).as("nothing of the group deleted").containsExactlyInAnyOrderElementsOf(group.members());
    assertThat(lustre.work).hasSize(1);

    groups.delete(group.id());
    assertThat(journal.all()).isEmpty();
    assertThat(lustre.work).hasSize(2).last().asString().startsWith("destroy ");
  }
}
