package dev.lustrecsi.controller.volume;

import static dev.lustrecsi.controller.volume.VolumeProvisionerTest.codeOf;
import static dev.lustrecsi.controller.volume.VolumeProvisionerTest.create;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import io.grpc.Status;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger through the provisioner: capacity and project ids under concurrency, failures and restarts. */
class FilesystemLedgerTest {
  @TempDir Path journalDir;
  final InMemoryLustre lustre = new InMemoryLustre();

  @Test
  void projectIdsStayUniqueAcrossRestartsAndSkipAtMostTheRestOfABlock() {
    Set<Integer> seen = new HashSet<>();
    int last = 0;
    for (int restart = 0; restart < 3; restart++) {
      VolumeProvisioner provisioner = new VolumeProvisioner(new FileVolumeJournal(journalDir), lustre);
      for (int i = 0; i < 100; i++) {
        int id = create(provisioner, "pvc-" + restart + "-" + i, Sizes.MIB).projectId();
        assertThat(seen.add(id)).as("project id %d handed out twice", id).isTrue();
        assertThat(id).isGreaterThan(last);
        last = id;
      }
    }
    // 300 volumes; each restart skips what was left of the block in use, never more.
    assertThat(last).isLessThan(FilesystemRecord.FIRST_PROJECT_ID + 300 + 3 * FilesystemLedger.PROJECT_ID_BLOCK);
  }

  @Test
  void concurrentCreatesNeverCommitMoreThanTheGrowthLimit() throws Exception {
    // fs1 may hold 4 OSTs of 10 GiB: eight 5 GiB volumes fit, the other four must be refused.
    VolumeProvisioner provisioner = new VolumeProvisioner(new FileVolumeJournal(journalDir), lustre);
    ExecutorService pool = Executors.newFixedThreadPool(12);
    List<Future<Status.Code>> results = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String name = "pvc-" + i;
      results.add(pool.submit(() -> codeOf(() -> create(provisioner, name, 5 * Sizes.GIB))));
    }
    List<Status.Code> codes = new ArrayList<>();
    for (Future<Status.Code> result : results) {
      codes.add(result.get());
    }
    pool.shutdown();
    assertThat(codes).filteredOn(c -> c == Status.Code.OK).hasSize(8);
    assertThat(codes).filteredOn(c -> c == Status.Code.RESOURCE_EXHAUSTED).hasSize(4);
    assertThat(provisioner.availableCapacity(Optional.empty())).isZero();
  }

  @Test
  void aReservationWhoseRecordCannotBeWrittenIsGivenBack() {
    AtomicBoolean failVolumeWrites = new AtomicBoolean();
    VolumeJournal journal = new FailingJournal(new FileVolumeJournal(journalDir), failVolumeWrites);
    VolumeProvisioner provisioner = new VolumeProvisioner(journal, lustre);
    create(provisioner, "pvc-a", 10 * Sizes.GIB);
    long before = provisioner.availableCapacity(Optional.empty());

    failVolumeWrites.set(true);
    assertThatThrownBy(() -> create(provisioner, "pvc-b", 20 * Sizes.GIB)).isInstanceOf(UncheckedIOException.class);
    assertThat(provisioner.availableCapacity(Optional.empty())).isEqualTo(before);

    failVolumeWrites.set(false);
    // The full remainder is still there to take.
    assertThat(create(provisioner, "pvc-c", before).capacityBytes()).isEqualTo(before);
  }

  /** A journal whose volume writes fail on demand, as a full or broken disk would make them. */
  private record FailingJournal(VolumeJournal delegate, AtomicBoolean failVolumeWrites) implements VolumeJournal {
    @Override
    public Optional<VolumeRecord> byName(String name) {
      return delegate.byName(name);
    }

    @Override
    public Optional<VolumeRecord> byId(VolumeId id) {
      return delegate.byId(id);
    }

    @Override
    public List<VolumeRecord> volumes() {
      return delegate.volumes();
    }

    @Override
    public void put(VolumeRecord volume) {
      if (failVolumeWrites.get()) {
        throw new UncheckedIOException(new java.io.IOException("No space left on device"));
      }
      delegate.put(volume);
    }

    @Override
    public void remove(VolumeRecord volume) {
      delegate.remove(volume);
    }

    @Override
    public Optional<FilesystemRecord> filesystem(String fsName) {
      return delegate.filesystem(fsName);
    }

    @Override
    public List<FilesystemRecord> filesystems() {
      return delegate.filesystems();
    }

    @Override
    public void put(FilesystemRecord filesystem) {
      delegate.put(filesystem);
    }
  }
}
