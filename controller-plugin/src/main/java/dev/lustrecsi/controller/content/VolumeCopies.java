package dev.lustrecsi.controller.content;

import dev.lustrecsi.agent.v1.CopySnapshotDirectoryResponse;
import dev.lustrecsi.common.concurrent.KeyedLocks;
import dev.lustrecsi.common.concurrent.WaitingLocks;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.snapshot.SnapshotBatches;
import dev.lustrecsi.controller.volume.VolumeContent;
import dev.lustrecsi.controller.volume.VolumeRecord;
import dev.lustrecsi.controller.volume.VolumeSource;
import dev.lustrecsi.controller.volume.VolumeSource.Kind;
import dev.lustrecsi.controller.volume.VolumeSource.Phase;
import dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Restore and clone: a new volume's content copied out of a Lustre snapshot mounted beside the
 * live filesystem. A restore reads the CSI snapshot's Lustre snapshot; a clone first takes a
 * Lustre snapshot of its own, so that it copies the source volume as it was at one instant rather
 * than a directory pods may be writing, and destroys it when the copy is done.
 *
 * <p>Crash safety: the volume's record names its source and the phase reached, and each phase is
 * written before the work of the next starts. SNAPSHOTTING: the clone's snapshot may be partial,
 * so it is taken again from scratch. COPYING: the snapshot is whole; it is mounted (mounted already
 * is fine) and the copy started or asked about (the agent keeps one copy per target directory, and
 * starts it again after it failed or the agent restarted; a copy overwrites what an earlier one
 * left). COPIED: the snapshot is unmounted unless another restore still reads it, and a clone's is
 * destroyed; then the provisioner marks the volume READY. Every step is idempotent, so a retry from
 * any phase converges.
 */
public final class VolumeCopies implements VolumeContent {
  private static final System.Logger LOG = System.getLogger(VolumeCopies.class.getName());

  private final KubernetesVolumeJournal journal;
  private final SnapshotMounts mounts;
  private final SnapshotBatches snapshots;
  /** Mounting and the decision to unmount, per Lustre snapshot: a restore must not unmount what another just mounted. */
  private final WaitingLocks mountLocks = new WaitingLocks();

  public VolumeCopies(KubernetesVolumeJournal journal, SnapshotMounts mounts, SnapshotBatches snapshots) {
    this.journal = journal;
    this.mounts = mounts;
    this.snapshots = snapshots;
  }

  @Override
  public VolumeRecord fill(VolumeRecord creating) {
    VolumeRecord volume = creating;
    VolumeSource source = volume.source().orElseThrow();
    String fsName = volume.id().fsName();
    if (source.phase() == Phase.SNAPSHOTTING) {
      snapshots.takeAlone(fsName, source.lustreSnapshot());
      volume = advance(volume, Phase.COPYING);
      LOG.log(Level.INFO, "took snapshot " + source.lustreSnapshot() + " of " + fsName + " to clone volume " + source.id() + " into " + volume.id());
    }
    if (volume.source().orElseThrow().phase() == Phase.COPYING) {
      copy(volume);
      volume = advance(volume, Phase.COPIED);
    }
    if (volume.source().orElseThrow().phase() == Phase.COPIED) {
      letGo(volume);
      LOG.log(Level.INFO, "copied " + describe(source) + " into volume " + volume.id());
      // Not written here: the provisioner writes DONE with READY, in one write.
      return volume.withSource(volume.source().orElseThrow().withPhase(Phase.DONE));
    }
    return volume;
  }

  @Override
  public void release(VolumeRecord deleting) {
    VolumeSource source = deleting.source().orElseThrow();
    if (source.phase() == Phase.DONE) {
      return;
    }
    if (source.phase() != Phase.SNAPSHOTTING) {
      // Unmounting lets an agent's copy into the directory fail rather than fill it while it is deleted.
      unmountUnlessRead(deleting);
    }
    if (source.kind() == Kind.VOLUME) {
      snapshots.destroy(deleting.id().fsName(), source.lustreSnapshot());
    }
  }

  /** Mounts the snapshot and starts or follows the copy: UNAVAILABLE, with the progress, until it is done. */
  private void copy(VolumeRecord volume) {
    VolumeSource source = volume.source().orElseThrow();
    String fsName = volume.id().fsName();
    try (var held = lock(fsName, source.lustreSnapshot())) {
      mounts.mount(fsName, source.lustreSnapshot());
    }
    CopySnapshotDirectoryResponse copy = mounts.copy(fsName, source.lustreSnapshot(), source.directory(), volume.id().directory());
    switch (copy.getState()) {
      case DONE -> {
        return;
      }
      case RUNNING -> throw CsiException.unavailable("copying from " + describe(source) + ": " + copy.getFilesCopied() + " files, "
          + Sizes.format(copy.getBytesCopied()) + " so far; retry");
      // UNAVAILABLE, not INTERNAL: the volume's record and directory exist, and the external
      // provisioner keeps calling after a retryable code only, so a claim deleted meanwhile still
      // gets its DeleteVolume; the agent forgets a failed copy once it has reported it, so the
      // next call starts the copy again, and the agent's words reach the claim's events.
      case FAILED -> throw CsiException.unavailable("copying from " + describe(source) + " into " + volume.id() + " failed after "
          + copy.getFilesCopied() + " files: " + copy.getMessage() + "; the next call starts the copy again");
      default -> throw CsiException.internal("the agent answered copy state " + copy.getState() + " for " + volume.id(), null);
    }
  }

  /** After the copy: the snapshot unmounted unless another restore reads it, and a clone's own snapshot destroyed. */
  private void letGo(VolumeRecord volume) {
    VolumeSource source = volume.source().orElseThrow();
    unmountUnlessRead(volume);
    if (source.kind() == Kind.VOLUME) {
      snapshots.destroy(volume.id().fsName(), source.lustreSnapshot());
    }
  }

  private void unmountUnlessRead(VolumeRecord volume) {
    VolumeSource source = volume.source().orElseThrow();
    String fsName = volume.id().fsName();
    try (var held = lock(fsName, source.lustreSnapshot())) {
      var readers = journal.volumes().stream()
          .filter(other -> !other.id().equals(volume.id()) && other.state() == VolumeRecord.State.CREATING
              && other.id().fsName().equals(fsName)
              && other.source().filter(s -> s.lustreSnapshot().equals(source.lustreSnapshot()) && s.holdsSnapshot()).isPresent())
          .map(other -> other.id().toString()).toList();
      if (readers.isEmpty()) {
        mounts.unmount(fsName, source.lustreSnapshot());
      } else {
        LOG.log(Level.INFO, "snapshot " + source.lustreSnapshot() + " of " + fsName + " stays mounted for " + readers);
      }
    }
  }

  private VolumeRecord advance(VolumeRecord volume, Phase phase) {
    VolumeRecord next = volume.withSource(volume.source().orElseThrow().withPhase(phase));
    journal.put(next);
    return next;
  }

  private static String describe(VolumeSource source) {
    return source.kind() == Kind.SNAPSHOT ? "snapshot " + source.id() : "volume " + source.id() + " (its snapshot " + source.lustreSnapshot() + ")";
  }

  private KeyedLocks.Held lock(String fsName, String snapshot) {
    try {
      // Held only for mount calls and a read of the records: a wait this long means an agent hangs.
      return mountLocks.acquire(fsName + "@" + snapshot, Duration.ofMinutes(1)).orElseThrow(() -> CsiException.aborted("snapshot "
          + snapshot + " of " + fsName + " is being mounted or unmounted for another volume; retry later"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CsiException.aborted("interrupted while waiting to mount snapshot " + snapshot);
    }
  }
}
