package dev.lustrecsi.controller.volume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.parameters.Striping;
import dev.lustrecsi.controller.servers.ObjectMeta;
import dev.lustrecsi.controller.snapshot.SnapshotId;
import dev.lustrecsi.controller.snapshot.SnapshotRecord;
import dev.lustrecsi.controller.snapshot.kubernetes.KubernetesSnapshotJournal;
import dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal;
import dev.lustrecsi.controller.volume.kubernetes.LustreVolume;
import dev.lustrecsi.controller.volume.kubernetes.VolumeObjects;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesVolumeJournalTest {
  final MockApi api = new MockApi();
  final List<KubernetesVolumeJournal> started = new ArrayList<>();

  /** A journal with a client of its own; each call is a new journal, as after a controller restart. */
  KubernetesVolumeJournal journal() {
    KubernetesVolumeJournal journal = KubernetesVolumeJournal.start(api.newClient(), MockApi.NAMESPACE);
    started.add(journal);
    return journal;
  }

  static VolumeRecord volume(String name, String directory) {
    return new VolumeRecord(name, new VolumeId("fs1", directory), 1 << 30, new Striping(2, 1 << 20, ""), 1000,
        VolumeRecord.State.READY, Map.of("fsName", "fs1"), java.time.Instant.parse("2026-12-01T00:00:00Z"));
  }

  @AfterEach
  void stop() {
    started.forEach(KubernetesVolumeJournal::close);
    api.close();
  }

  @Test
  void recordsAreLustreVolumesNamedAfterTheCsiNameOrItsHash() {
    KubernetesVolumeJournal journal = journal();
    journal.put(volume("pvc-0a1b", "pvc-0a1b"));
    journal.put(volume("Not A DNS Name", "not_a_dns_name"));
    KubernetesClient client = api.newClient();
    List<LustreVolume> objects = client.resources(LustreVolume.class).inNamespace(MockApi.NAMESPACE).list().getItems();
    assertThat(objects).extracting(o -> o.getMetadata().getName())
        .containsExactlyInAnyOrder("pvc-0a1b", VolumeObjects.objectName("Not A DNS Name"));
    assertThat(VolumeObjects.objectName("Not A DNS Name")).matches("vol-[0-9a-f]{40}").isEqualTo(VolumeObjects.objectName("Not A DNS Name"));
    assertThat(VolumeObjects.objectName("x".repeat(254))).startsWith("vol-");
    assertThat(objects).allSatisfy(o -> assertThat(o.getSpec().capacity()).isEqualTo("1 GiB"));
  }

  @Test
  void recordsOfFilesystemsWhoseFsnameIsNoLabelValueAreStoredLabelledWithTheFilesystemsObjectName() {
    // Lustre allows "data_" and "Data-"; a label value may not end in '_' or '-', so the API server would refuse the fsname itself.
    KubernetesVolumeJournal journal = journal();
    KubernetesSnapshotJournal snapshots = new KubernetesSnapshotJournal(api.newClient(), MockApi.NAMESPACE);
    List<String> fsNames = List.of("data_", "Data-", "fs1");
    for (int i = 0; i < fsNames.size(); i++) {
      String fsName = fsNames.get(i);
      VolumeRecord volume = new VolumeRecord("pvc-" + i, new VolumeId(fsName, "pvc-a"), 1 << 30,
          new Striping(1, 1 << 20, ""), 1000, VolumeRecord.State.CREATING, Map.of("fsName", fsName), java.time.Instant.EPOCH);
      journal.put(volume);
      SnapshotRecord snapshot = new SnapshotRecord("snapshot-" + i, new SnapshotId(fsName, "snap-" + i),
          volume.id(), "lcsi-20261207-010203-abcdef", 0, 0, SnapshotRecord.State.CREATING, "", java.time.Instant.EPOCH);
      snapshots.put(snapshot);

      String label = ResourceNames.of(fsName).filesystem();
      KubernetesClient client = api.newClient();
      assertThat(client.resources(LustreVolume.class).inNamespace(MockApi.NAMESPACE).withLabel(ObjectMeta.FILESYSTEM_LABEL, label).list()
          .getItems()).extracting(o -> o.getSpec().fsName()).containsExactly(fsName);
      assertThat(snapshots.get(snapshot.id().record())).contains(snapshot);
    }
  }

  @Test
  void aRestoresSourceAndPhaseSurviveARestart() {
    KubernetesVolumeJournal journal = journal();
    VolumeRecord restoring = volume("restored", "restored").withState(VolumeRecord.State.CREATING)
        .withSource(new VolumeSource(VolumeSource.Kind.SNAPSHOT, "fs1@snap-1", "lcsi-20261207-010203-abcdef", "pvc-1",
            VolumeSource.Phase.COPYING));
    VolumeRecord cloning = volume("cloned", "cloned").withState(VolumeRecord.State.CREATING)
        .withSource(new VolumeSource(VolumeSource.Kind.VOLUME, "fs1/pvc-1", "lcsi-clone-0123456789abcdef", "pvc-1",
            VolumeSource.Phase.SNAPSHOTTING));
    journal.put(restoring);
    journal.put(cloning);
    KubernetesVolumeJournal reloaded = journal();
    assertThat(reloaded.byName("restored")).contains(restoring);
    assertThat(reloaded.byName("cloned")).contains(cloning);
    assertThat(reloaded.byName("cloned").orElseThrow().source().orElseThrow().holdsSnapshot()).isFalse();
    assertThat(reloaded.byName("restored").orElseThrow().source().orElseThrow().holdsSnapshot()).isTrue();
  }

  @Test
  void survivesARestart() {
    KubernetesVolumeJournal journal = journal();
    VolumeRecord a = volume("any name / with slashes", "any_name-0123456789abcdef");
    journal.put(a);
    KubernetesVolumeJournal reloaded = journal();
    assertThat(reloaded.byName(a.name())).contains(a);
    assertThat(reloaded.byId(a.id())).contains(a);
  }

  @Test
  void readsItsOwnWritesAtOnce() {
    KubernetesVolumeJournal journal = journal();
    VolumeRecord a = volume("pvc-a", "pvc-a");
    journal.put(a);
    assertThat(journal.byName("pvc-a")).contains(a);
    journal.put(a.withState(VolumeRecord.State.DELETING));
    assertThat(journal.byId(a.id())).contains(a.withState(VolumeRecord.State.DELETING));
    assertThat(journal.volumes()).containsExactly(a.withState(VolumeRecord.State.DELETING));
    journal.remove(a);
    assertThat(journal.byName("pvc-a")).isEmpty();
    assertThat(journal.byId(a.id())).isEmpty();
    assertThat(journal.volumes()).isEmpty();
    journal.put(a);
    assertThat(journal.byName("pvc-a")).as("written again after its removal").contains(a);
  }

  @Test
  void removesAndListsInIdOrder() {
    KubernetesVolumeJournal journal = journal();
    journal.put(volume("b", "b"));
    journal.put(volume("a", "a"));
    journal.put(volume("c", "c"));
    journal.remove(volume("b", "b"));
    journal.remove(volume("absent", "absent"));
    assertThat(journal().volumes()).extracting(v -> v.id().directory()).containsExactly("a", "c");
  }

  @Test
  void aWriteOverAnotherControllersWriteOrRemovalStillLands() throws Exception {
    KubernetesVolumeJournal a = journal();
    KubernetesVolumeJournal b = journal();
    VolumeRecord volume = volume("pvc-a", "pvc-a");
    a.put(volume);
    eventually(() -> b.byName("pvc-a").isPresent());
    b.put(volume.withState(VolumeRecord.State.DELETING));
    // a still holds the first version: its write conflicts, is read again, and lands.
    a.put(volume.withCapacity(2L << 30));
    assertThat(journal().byName("pvc-a")).contains(volume.withCapacity(2L << 30));
    eventually(() -> b.byName("pvc-a").orElseThrow().capacityBytes() == 2L << 30);
    b.remove(volume);
    a.put(volume);
    assertThat(journal().byName("pvc-a")).as("written over a removal a did not see").contains(volume);
  }

  @Test
  void aConditionalWriteLosesToAnyWriteItHasNotSeen() throws Exception {
    KubernetesVolumeJournal a = journal();
    KubernetesVolumeJournal b = journal();
    VolumeRecord making = volume("pvc-a", "pvc-a").withState(VolumeRecord.State.CREATING);
    a.put(making);
    eventually(() -> b.byName("pvc-a").isPresent());
    // b asks for the volume again (a CreateVolume retry) before a, which has not seen that yet, withdraws it.
    VolumeRecord askedAgain = making.withLastRequested(making.lastRequested().plusSeconds(600));
    assertThat(b.replace(making, askedAgain)).isTrue();
    assertThat(a.replace(making, making.withState(VolumeRecord.State.DELETING))).as("a's write on a version b replaced").isFalse();
    assertThat(journal().byName("pvc-a")).contains(askedAgain);
    eventually(() -> a.byName("pvc-a").equals(java.util.Optional.of(askedAgain)));
    assertThat(a.replace(making, making.withState(VolumeRecord.State.DELETING))).as("a record that is no longer the one expected").isFalse();
    assertThat(a.replace(askedAgain, askedAgain.withState(VolumeRecord.State.DELETING))).isTrue();
    assertThat(a.byName("pvc-a")).contains(askedAgain.withState(VolumeRecord.State.DELETING));
    b.remove(askedAgain);
    assertThat(b.replace(askedAgain, askedAgain)).as("a removed record").isFalse();
  }

  @Test
  void aRecordWrittenBeforeLastRequestedExistedCountsFromItsCreation() {
    KubernetesClient client = api.newClient();
    LustreVolume old = VolumeObjects.toObject(volume("pvc-old", "pvc-old").withState(VolumeRecord.State.CREATING), MockApi.NAMESPACE);
    old.setSpec(new dev.lustrecsi.controller.volume.kubernetes.LustreVolumeSpec(old.getSpec().name(), old.getSpec().fsName(),
        old.getSpec().directory(), old.getSpec().capacityBytes(), old.getSpec().capacity(), old.getSpec().striping(),
        old.getSpec().projectId(), old.getSpec().state(), old.getSpec().parameters(), null, null));
    LustreVolume stored = client.resource(old).create();
    assertThat(journal().byName("pvc-old").orElseThrow().lastRequested())
        .isEqualTo(java.time.Instant.parse(stored.getMetadata().getCreationTimestamp()));
  }

  @Test
  void aLastRequestedEditedIntoNonsenseCountsFromTheObjectsCreation() {
    KubernetesClient client = api.newClient();
    LustreVolume edited = VolumeObjects.toObject(volume("pvc-edited", "pvc-edited").withState(VolumeRecord.State.CREATING), MockApi.NAMESPACE);
    edited.setSpec(new dev.lustrecsi.controller.volume.kubernetes.LustreVolumeSpec(edited.getSpec().name(), edited.getSpec().fsName(),
        edited.getSpec().directory(), edited.getSpec().capacityBytes(), edited.getSpec().capacity(), edited.getSpec().striping(),
        edited.getSpec().projectId(), edited.getSpec().state(), edited.getSpec().parameters(), null, "yesterday"));
    LustreVolume stored = client.resource(edited).create();
    KubernetesVolumeJournal journal = journal();
    assertThat(journal.byName("pvc-edited").orElseThrow().lastRequested())
        .isEqualTo(java.time.Instant.parse(stored.getMetadata().getCreationTimestamp()));
    assertThat(journal.volumes()).hasSize(1);
  }

  @Test
  void committedBytesSumsTheFilesystemsRecords() {
    KubernetesVolumeJournal journal = journal();
    journal.put(volume("a", "a"));
    journal.put(volume("b", "b").withState(VolumeRecord.State.CREATING));
    journal.put(new VolumeRecord("c", new VolumeId("fs2", "c"), 1 << 20, new Striping(1, 1 << 20, ""), 1000,
        VolumeRecord.State.READY, Map.of(), java.time.Instant.EPOCH));
    assertThat(journal.committedBytes("fs1")).isEqualTo(2L << 30);
    assertThat(journal().committedBytes("fs2")).isEqualTo(1 << 20);
  }

  @Test
  void aRestartedJournalSeesEveryRecord() {
    KubernetesVolumeJournal first = journal();
    for (int i = 0; i < 30; i++) {
      first.put(volume("pvc-" + i, String.format("pvc-%02d", i)));
    }
    first.close();
    KubernetesVolumeJournal restarted = journal();
    assertThat(restarted.volumes()).hasSize(30).isSortedAccordingTo(VolumeObjects.BY_ID);
    assertThat(restarted.byName("pvc-7")).contains(volume("pvc-7", "pvc-07"));
  }

  @Test
  void twoJournalsSeeEachOthersWrites() throws Exception {
    KubernetesVolumeJournal a = journal();
    KubernetesVolumeJournal b = journal();
    a.put(volume("from-a", "from-a"));
    b.put(volume("from-b", "from-b"));
    eventually(() -> a.byName("from-b").isPresent() && b.byName("from-a").isPresent());
    b.put(volume("from-a", "from-a").withCapacity(2L << 30));
    eventually(() -> a.byName("from-a").orElseThrow().capacityBytes() == 2L << 30);
    a.remove(volume("from-b", "from-b"));
    eventually(() -> b.byName("from-b").isEmpty() && b.volumes().size() == 1);
  }

  @Test
  void committedBytesFollowsTheRecordsWhoeverWritesThem() throws Exception {
    KubernetesVolumeJournal a = journal();
    KubernetesVolumeJournal b = journal();
    a.put(volume("x", "x"));
    assertThat(a.committedBytes("fs1")).as("its own write, at once").isEqualTo(1L << 30);
    eventually(() -> b.committedBytes("fs1") == 1L << 30);
    b.put(volume("x", "x").withCapacity(3L << 30));
    eventually(() -> a.committedBytes("fs1") == 3L << 30);
    b.remove(volume("x", "x"));
    assertThat(b.committedBytes("fs1")).isZero();
    eventually(() -> a.committedBytes("fs1") == 0);
    assertThat(journal().committedBytes("fs1")).isZero();
  }

  private static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 10s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
