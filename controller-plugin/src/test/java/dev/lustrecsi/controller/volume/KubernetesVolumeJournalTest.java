package dev.lustrecsi.controller.volume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal;
import dev.lustrecsi.controller.volume.kubernetes.LustreVolume;
import dev.lustrecsi.controller.volume.kubernetes.VolumeObjects;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KubernetesVolumeJournalTest extends VolumeJournalContract {
  final MockApi api = new MockApi();
  final List<KubernetesVolumeJournal> started = new ArrayList<>();

  @Override
  KubernetesVolumeJournal journal() {
    KubernetesVolumeJournal journal = KubernetesVolumeJournal.start(api.newClient(), MockApi.NAMESPACE);
    started.add(journal);
    return journal;
  }

  @Override
  boolean sharesStorage() {
    return true;
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
    assertThat(client.configMaps().inNamespace(MockApi.NAMESPACE).list().getItems()).isEmpty();
  }

  @Test
  void filesystemRecordsAreConfigMapsNamedByResourceNames() {
    journal().put(new FilesystemRecord("Fs_1", 1L << 40, 8, 1000, null));
    var configMaps = api.newClient().configMaps().inNamespace(MockApi.NAMESPACE).list().getItems();
    assertThat(configMaps).singleElement().satisfies(cm -> {
      assertThat(cm.getMetadata().getName()).startsWith("lustre-csi-fs-fs-1-");
      assertThat(cm.getData()).containsKey("record.json");
    });
  }

  @Test
  void aRestartedJournalSeesEveryRecord() {
    KubernetesVolumeJournal first = journal();
    for (int i = 0; i < 30; i++) {
      first.put(volume("pvc-" + i, String.format("pvc-%02d", i)));
    }
    first.close();
    VolumeJournal restarted = journal();
    assertThat(restarted.volumes()).hasSize(30).isSortedAccordingTo(VolumeObjects.BY_ID);
    assertThat(restarted.byName("pvc-7")).contains(volume("pvc-7", "pvc-07"));
  }

  @Test
  void twoJournalsSeeEachOthersWrites() throws Exception {
    VolumeJournal a = journal();
    VolumeJournal b = journal();
    a.put(volume("from-a", "from-a"));
    b.put(volume("from-b", "from-b"));
    eventually(() -> a.byName("from-b").isPresent() && b.byName("from-a").isPresent());
    b.put(volume("from-a", "from-a").withCapacity(2L << 30));
    eventually(() -> a.byName("from-a").orElseThrow().capacityBytes() == 2L << 30);
    a.remove(volume("from-b", "from-b"));
    eventually(() -> b.byName("from-b").isEmpty() && b.volumes().size() == 1);
  }

  @Test
  void twoControllersNeverHandOutTheSameProjectId() throws Exception {
    List<FilesystemLedger> ledgers = List.of(new FilesystemLedger(journal()), new FilesystemLedger(journal()));
    FilesystemRecord fs = new FilesystemRecord("fs1", 1L << 40, 8, FilesystemRecord.FIRST_PROJECT_ID, null);
    int threadsPerLedger = 3;
    int idsPerThread = 100;
    ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerLedger);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<Integer>>> results = new ArrayList<>();
    for (FilesystemLedger ledger : ledgers) {
      for (int t = 0; t < threadsPerLedger; t++) {
        Callable<List<Integer>> taker = () -> {
          go.await();
          List<Integer> ids = new ArrayList<>();
          for (int i = 0; i < idsPerThread; i++) {
            ids.add(ledger.takeProjectId(fs));
          }
          return ids;
        };
        results.add(pool.submit(taker));
      }
    }
    go.countDown();
    Set<Integer> seen = new HashSet<>();
    for (Future<List<Integer>> result : results) {
      for (int id : result.get(2, TimeUnit.MINUTES)) {
        assertThat(seen.add(id)).as("project id %d handed out twice", id).isTrue();
      }
    }
    pool.shutdown();
    assertThat(seen).hasSize(2 * threadsPerLedger * idsPerThread).allMatch(id -> id >= FilesystemRecord.FIRST_PROJECT_ID);
    // Each ledger wastes at most the rest of its last block.
    assertThat(journal().filesystem("fs1").orElseThrow().nextProjectId())
        .isLessThanOrEqualTo(FilesystemRecord.FIRST_PROJECT_ID + seen.size() + 2 * FilesystemLedger.PROJECT_ID_BLOCK);
  }

  @Test
  void aProvisionerWorksEndToEndOnTheKubernetesJournal() {
    InMemoryLustre lustre = new InMemoryLustre();
    VolumeProvisioner provisioner = new VolumeProvisioner(journal(), lustre);
    VolumeRecord first = VolumeProvisionerTest.create(provisioner, "pvc-a", 4 * Sizes.GIB);
    VolumeRecord second = VolumeProvisionerTest.create(provisioner, "pvc-b", 12 * Sizes.GIB);
    assertThat(first.state()).isEqualTo(VolumeRecord.State.READY);
    assertThat(lustre.ostCount("fs1")).isEqualTo(2);
    assertThat(second.projectId()).isNotEqualTo(first.projectId());
    assertThat(VolumeProvisionerTest.create(provisioner, "pvc-a", 4 * Sizes.GIB)).isEqualTo(first);

    VolumeProvisioner restarted = new VolumeProvisioner(journal(), lustre);
    assertThat(VolumeProvisionerTest.create(restarted, "pvc-b", 12 * Sizes.GIB)).isEqualTo(second);
    VolumeRecord third = VolumeProvisionerTest.create(restarted, "pvc-c", Sizes.GIB);
    assertThat(third.projectId()).isNotIn(first.projectId(), second.projectId());
    assertThat(lustre.quotas).containsEntry(third.projectId(), Sizes.GIB);
  }

  private static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 10s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
