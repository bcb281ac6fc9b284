package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.concurrent.KeyedLocks;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.topology.LnetChoice;
import dev.lustrecsi.common.topology.VolumeContext;
import dev.lustrecsi.common.volume.DirectoryAccess;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.cluster.LustreBackend;
import dev.lustrecsi.controller.lustre.DirectoryUsage;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.lustre.FilesystemState;
import dev.lustrecsi.controller.parameters.ParameterDefinition;
import dev.lustrecsi.controller.parameters.StorageClassParameters;
import dev.lustrecsi.controller.volume.VolumeRecord.State;
import dev.lustrecsi.controller.volume.kubernetes.KubernetesVolumeJournal;
import io.grpc.Status;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates, expands and deletes volumes. Each step is recorded in the journal before the work it
 * stands for, and each backend call is idempotent, so a call interrupted anywhere converges when
 * retried, and concurrent calls for one volume never do its work twice.
 *
 * <p>The filesystem comes first: its LustreFilesystem is made (or checked against the
 * StorageClass) before the volume is recorded, so a StorageClass that cannot work leaves nothing
 * behind, and the growth limit the volume is admitted against is the filesystem's own.
 */
public final class VolumeProvisioner {
  private static final System.Logger LOG = System.getLogger(VolumeProvisioner.class.getName());

  private final KubernetesVolumeJournal journal;
  private final LustreBackend backend;
  private final KeyedLocks volumeLocks = new KeyedLocks();
  private final FilesystemLedger ledger;
  private final VolumeContent content;
  private final Clock clock;
  private final Abandonment abandonment;

  /**
   * @param content makes the content of a volume created from a snapshot or another volume
   * @param clock when CreateVolume calls come, for the volumes' lastRequested
   * @param abandonment when a volume still being made that no CreateVolume asks for is withdrawn
   *     by {@link AbandonedVolumes}, and so when a retry refreshes its record
   */
  public VolumeProvisioner(KubernetesVolumeJournal journal, LustreBackend backend, VolumeContent content, Clock clock,
      Abandonment abandonment) {
    this.journal = journal;
    this.backend = backend;
    this.content = content;
    this.clock = clock;
    this.abandonment = abandonment;
    this.ledger = new FilesystemLedger(journal.capacity(), backend::claimProjectIds);
  }

  /**
   * CreateVolume: returns the volume named {@code name}, making it if it does not exist, with the
   * content of {@code source} when one is given (checked by the caller: it exists, on this filesystem).
   */
  public VolumeRecord create(String name, CapacityRequest range, StorageClassParameters params, Map<String, String> rawParameters,
      Optional<VolumeSource> source) {
    // On the site's filesystem volumes live under its volume root; the id carries it, so every
    // later call (and the node plugin) finds the directory from the id alone.
    Optional<FilesystemState> known = backend.describe(params.fsName());
    VolumeId id = VolumeId.under(params.fsName(), known.map(FilesystemState::volumeRoot).orElse(""), VolumeId.directoryFor(name));
    Map<String, String> parameters = withoutProvisionerMetadata(rawParameters);
    try (var nameLock = volumeLocks.acquire("name:" + name);
        var idLock = volumeLocks.acquire(id.toString())) {
      Optional<VolumeRecord> existing = journal.byName(name);
      VolumeRecord volume;
      if (existing.isPresent()) {
        volume = stillRequested(checkCompatible(existing.get(), id, range, parameters, source));
      } else {
        long capacity = range.capacityToProvision("capacity_range");
        boolean external = known.flatMap(FilesystemState::external).isPresent();
        if (external && source.isPresent()) {
          // Restore and clone read Lustre snapshots, which the driver takes only of its own filesystems.
          throw CsiException.failedPrecondition("volume_content_source: filesystem " + params.fsName() + " is run by the site (its"
              + " LustreFilesystem has spec.external): it has no snapshots, so no volume can be restored or cloned on it");
        }
        // An existing filesystem's own limit: the StorageClass may leave its size to it, or ask for less than it has grown to allow.
        long limit = known.map(FilesystemState::capacityLimit).orElse(params.maxCapacity());
        if (!external && capacity > limit) {
          throw CsiException.outOfRange("capacity_range", Sizes.format(capacity) + " exceeds what filesystem " + params.fsName()
              + " can ever hold (" + known.map(FilesystemState::describeLimit)
                  .orElse(params.filesystem().maxOsts() + " OSTs of " + Sizes.format(params.filesystem().ostSize())) + ")");
        }
        FilesystemState filesystem = backend.ensureFilesystem(FilesystemSpec.requested(params.fsName(), params.filesystem()));
        if (filesystem.external().isPresent()) {
          filesystem = readyExternal(filesystem, parameters);
        }
        if (params.lnet() == LnetChoice.O2IB) {
          requireO2ibServers(filesystem);
        }
        volume = commit(name, id, capacity, filesystem, params, parameters, source);
      }
      if (volume.state() == State.CREATING) {
        volume = finishCreating(volume);
      }
      return volume;
    }
  }

  /**
   * Grows the filesystem if the volume needs it and makes its directory. A volume that can never
   * be made as asked (the filesystem cannot grow for it, or the servers refuse its layout) is
   * withdrawn: it must not keep capacity committed, nor leave half a directory behind.
   */
  private VolumeRecord finishCreating(VolumeRecord volume) {
    try {
      ensureOsts(volume.id().fsName());
      backend.ensureVolumeDirectory(volume.id(), volume.striping(), volume.projectId(), volume.capacityBytes(), newDirectoryAccess(volume));
      if (volume.source().isPresent()) {
        // Copied into the directory made above, so its files take the new volume's layout and project.
        volume = content.fill(volume);
      }
    } catch (CsiException e) {
      if (neverPossible(e)) {
        // As last written: a copy records its phases as it goes, and what it holds (a mounted
        // snapshot, a clone's own snapshot) is released by the phase it reached.
        withdraw(journal.byId(volume.id()).orElse(volume));
      }
      throw e;
    }
    VolumeRecord ready = volume.withState(State.READY);
    journal.put(ready);
    LOG.log(Level.INFO, "created volume " + ready.id() + " (" + Sizes.format(ready.capacityBytes()) + ", project " + ready.projectId() + ")");
    return ready;
  }

  /**
   * The owner and mode the StorageClass asks for, read from the volume's recorded parameters so a
   * retry after a crash asks for the same. Given only here, while the volume is being made: a
   * READY volume never reaches this, so a chmod or chown of its users is never undone. A restore or
   * clone asks for none: its copy gives the directory the source's own owner and mode (the data's
   * owners), which a retry's EnsureVolumeDirectory must not undo after the copy is done.
   */
  private static Optional<DirectoryAccess> newDirectoryAccess(VolumeRecord volume) {
    return volume.source().isPresent() ? Optional.empty() : Optional.of(StorageClassParameters.directoryAccess(volume.parameters()));
  }

  /**
   * The site's filesystem, checked before anything is committed on it: a StorageClass may not set
   * its servers or size, and it takes volumes only once its management host has seen it ready.
   */
  private FilesystemState readyExternal(FilesystemState filesystem, Map<String, String> parameters) {
    String fsName = filesystem.spec().fsName();
    for (ParameterDefinition definition : StorageClassParameters.DEFINITIONS) {
      if (definition.scope() == ParameterDefinition.Scope.FILESYSTEM && !definition.key().equals(StorageClassParameters.FS_NAME)
          && parameters.containsKey(definition.key())) {
        throw CsiException.failedPrecondition("parameters." + definition.key() + ": filesystem " + fsName
            + " is the site's own (its LustreFilesystem has spec.external): its servers and size are not a StorageClass's to set");
      }
    }
    FilesystemState state = filesystem.ready() ? filesystem : backend.refresh(fsName);
    if (!state.ready()) {
      throw CsiException.unavailable("filesystem " + fsName + " is not ready as its management host's agent sees it"
          + " (see the conditions of its LustreFilesystem); retry later");
    }
    return state;
  }

  /**
   * A retry of a volume still being made: its record's lastRequested is moved to now when it is
   * older than a quarter of the abandonment time. The write is conditional: if another controller
   * has meanwhile decided the volume was abandoned (or changed it otherwise), this call loses and
   * the CO retries, to find it being deleted and then gone, and make it anew.
   */
  private VolumeRecord stillRequested(VolumeRecord volume) {
    Instant now = clock.instant();
    if (volume.state() != State.CREATING || !abandonment.refreshDue(volume.lastRequested(), now)) {
      return volume;
    }
    VolumeRecord refreshed = volume.withLastRequested(now);
    if (!journal.replace(volume, refreshed)) {
      throw CsiException.aborted("the record of volume " + volume.name() + " changed while this call read it; retry");
    }
    return refreshed;
  }

  /**
   * Withdraws a volume no CO asks for any more, as {@link AbandonedVolumes} found it: one still
   * being made (its CreateVolume never succeeded, so no CO knows its id and none will delete it)
   * or one whose deletion was left unfinished. A volume being made is marked DELETING only if its
   * record is still exactly {@code seen}: a CreateVolume that asked for it since (here or on
   * another controller) wins, and the volume stays. Returns whether it was withdrawn; a call in
   * progress on it here holds its lock, and it is left for the next sweep.
   */
  public boolean withdrawAbandoned(VolumeRecord seen) {
    if (seen.state() == State.READY) {
      throw new IllegalArgumentException("volume " + seen.id() + " is ready: only its CO may delete it");
    }
    Optional<KeyedLocks.Held> nameLock = volumeLocks.tryAcquire("name:" + seen.name());
    if (nameLock.isEmpty()) {
      return false;
    }
    try (var heldName = nameLock.get()) {
      Optional<KeyedLocks.Held> idLock = volumeLocks.tryAcquire(seen.id().toString());
      if (idLock.isEmpty()) {
        return false;
      }
      try (var heldId = idLock.get()) {
        if (!journal.byId(seen.id()).equals(Optional.of(seen))) {
          return false;  // asked for, finished or deleted since the sweep read it
        }
        VolumeRecord deleting = seen.withState(State.DELETING);
        if (seen.state() == State.CREATING && !journal.replace(seen, deleting)) {
          return false;
        }
        LOG.log(Level.WARNING, "withdrawing volume " + seen.name() + " (" + seen.id() + "): " + seen.state().name().toLowerCase()
            + ", and no CreateVolume has asked for it since " + seen.lastRequested() + " (its claim deleted meanwhile?)");
        remove(deleting);
        return true;
      }
    }
  }

  /** DeleteVolume: removes the volume; an unknown id is already deleted. */
  public void delete(String volumeId) {
    Optional<VolumeId> id = VolumeId.parse(volumeId);
    if (id.isEmpty()) {
      return;
    }
    try (var lock = volumeLocks.acquire(id.get().toString())) {
      journal.byId(id.get()).ifPresent(this::remove);
    }
  }

  /** Marks the volume as going, removes its directory and quota, then its record; a crash between converges on retry. */
  private void remove(VolumeRecord volume) {
    VolumeRecord deleting = volume.withState(State.DELETING);
    if (volume.state() != State.DELETING) {
      journal.put(deleting);
    }
    if (deleting.source().isPresent()) {
      // An unfinished restore or clone holds a mounted snapshot, and a clone a snapshot of its own.
      content.release(deleting);
    }
    backend.deleteVolumeDirectory(deleting.id(), deleting.projectId());
    journal.remove(deleting);
    LOG.log(Level.INFO, "deleted volume " + deleting.id());
  }

  /** Whether the filesystem refused to grow for good (its spec or its limit), rather than for now. */
  private static boolean cannotHold(CsiException e) {
    return e.code() == Status.Code.FAILED_PRECONDITION || e.code() == Status.Code.RESOURCE_EXHAUSTED;
  }

  /** Whether the volume can never be made as asked: no growth for it, or the servers refuse its arguments. */
  private static boolean neverPossible(CsiException e) {
    return cannotHold(e) || e.code() == Status.Code.INVALID_ARGUMENT || e.code() == Status.Code.OUT_OF_RANGE;
  }

  private void withdraw(VolumeRecord volume) {
    LOG.log(Level.WARNING, "withdrawing volume " + volume.id() + ": filesystem " + volume.id().fsName() + " cannot hold it");
    remove(volume);
  }

  /** ControllerExpandVolume: raises the volume's quota, growing the filesystem first if needed. */
  public VolumeRecord expand(VolumeId id, CapacityRequest range) {
    try (var lock = volumeLocks.acquire(id.toString())) {
      VolumeRecord volume = journal.byId(id).orElseThrow(() -> CsiException.notFound("volume " + id + " does not exist"));
      if (volume.state() != State.READY) {
        throw CsiException.failedPrecondition("volume " + id + " is " + volume.state().name().toLowerCase() + ", not ready to expand");
      }
      long wanted = range.capacityToProvision("capacity_range");
      boolean grows = wanted > volume.capacityBytes();
      if (grows) {
        FilesystemState fs = filesystem(id.fsName());
        if (fs.external().isPresent() && !fs.ready()) {
          // The site's limit follows its capacity as observed: a cache that has not seen the
          // observation yet (or a filesystem not ready) is no ground to refuse or admit on.
          fs = backend.refresh(id.fsName());
          if (!fs.ready()) {
            throw CsiException.unavailable("filesystem " + id.fsName() + " is not ready as its management host's agent sees it; retry later");
          }
        }
        FilesystemState limitOf = fs;
        try (var reservation = ledger.reserve(volume.name(), fs, wanted, () -> CsiException.outOfRange("capacity_range", "expanding "
            + id + " to " + Sizes.format(wanted) + " would take filesystem " + id.fsName() + " past its "
            + (limitOf.external().isPresent() ? "limit" : "growth limit") + " of " + limitOf.describeLimit()))) {
          journal.put(volume.withCapacity(wanted));
        }
      }
      // A retry after a crash between the record's write and the growth finds the record already
      // at its new size: the OSTs are checked against what is committed all the same.
      if (grows || lacksOsts(id.fsName())) {
        try {
          ensureOsts(id.fsName());
        } catch (CsiException e) {
          if (grows && cannotHold(e)) {
            // The filesystem cannot grow for it: the volume keeps its size, and so gives the growth back.
            journal.put(volume);
          }
          throw e;
        }
      }
      VolumeRecord current = journal.byId(id).orElseThrow();
      // Set even when unchanged: a crash after the journal write but before the quota change is repaired here.
      backend.setQuota(id, current.projectId(), current.capacityBytes());
      return current;
    }
  }

  /**
   * What the node plugin needs to mount the volume's filesystem: the MGS NIDs per network (see
   * VolumeContext).
   */
  public Map<String, String> mountContext(String fsName) {
    Map<String, String> context = new LinkedHashMap<>();
    backend.describe(fsName).ifPresent(state -> {
      String tcp = state.mgsNidsOn("tcp");
      String o2ib = state.mgsNidsOn("o2ib");
      if (!tcp.isEmpty()) {
        context.put(VolumeContext.MGS_NIDS, tcp);
      }
      if (!o2ib.isEmpty()) {
        context.put(VolumeContext.MGS_NIDS_O2IB, o2ib);
      }
    });
    return context;
  }

  /**
   * An RDMA-tier volume needs servers with o2ib NIDs: refused before anything is committed, so a
   * StorageClass that cannot work leaves nothing behind.
   */
  private static void requireO2ibServers(FilesystemState filesystem) {
    if (!filesystem.mgsNids().isEmpty() && filesystem.mgsNidsOn("o2ib").isEmpty()) {
      throw CsiException.failedPrecondition("parameters.lnet: filesystem " + filesystem.spec().fsName() + " has no o2ib NIDs (its servers offer "
          + String.join(", ", filesystem.mgsNids()) + "), so its volumes cannot be an RDMA tier: its lnetNetworks must include o2ib");
    }
  }

  /** Capacity promised to the filesystem's volumes. */
  public long committedBytes(String fsName) {
    return ledger.committed(fsName);
  }

  public Optional<VolumeRecord> get(VolumeId id) {
    return journal.byId(id);
  }

  /** The volume a CreateVolume of this CSI name made, or is making. */
  public Optional<VolumeRecord> byName(String name) {
    return journal.byName(name);
  }

  /** Every volume, sorted by volume id. */
  public List<VolumeRecord> volumes() {
    return journal.volumes();
  }

  /** Capacity still available for new volumes: on one filesystem, or summed over all known ones. */
  public long availableCapacity(Optional<StorageClassParameters> params) {
    if (params.isPresent()) {
      StorageClassParameters p = params.get();
      return backend.describe(p.fsName()).map(ledger::available).orElse(p.maxCapacity());
    }
    return backend.all().stream().mapToLong(ledger::available).sum();
  }

  /** The volume's usage as its project quota reports it. */
  public DirectoryUsage usage(VolumeRecord volume) {
    return backend.usage(volume.id(), volume.projectId());
  }

  public boolean backendReachable() {
    return backend.reachable();
  }

  private VolumeRecord checkCompatible(VolumeRecord existing, VolumeId id, CapacityRequest range, Map<String, String> parameters,
      Optional<VolumeSource> source) {
    if (!existing.id().equals(id)) {
      throw CsiException.alreadyExists("volume name " + existing.name() + " is already used by volume " + existing.id()
          + " on filesystem " + existing.id().fsName());
    }
    if (!range.accepts(existing.capacityBytes())) {
      throw CsiException.alreadyExists("volume " + existing.name() + " already exists with capacity " + existing.capacityBytes()
          + " bytes, outside the requested capacity_range");
    }
    if (!existing.parameters().equals(parameters)) {
      throw CsiException.alreadyExists("volume " + existing.name() + " already exists with different parameters " + existing.parameters());
    }
    boolean sameSource = existing.source().isPresent() == source.isPresent()
        && existing.source().map(had -> had.sameSource(source.get())).orElse(true);
    if (!sameSource) {
      throw CsiException.alreadyExists("volume " + existing.name() + " already exists " + existing.source()
          .map(s -> "with content from " + s.kind().name().toLowerCase() + " " + s.id()).orElse("empty") + ", not "
          + source.map(s -> "from " + s.kind().name().toLowerCase() + " " + s.id()).orElse("empty") + " as requested (volume_content_source)");
    }
    if (existing.state() == State.DELETING) {
      throw CsiException.aborted("volume " + existing.name() + " is being deleted; retry later");
    }
    return existing;
  }

  /**
   * Records the new volume: its capacity is committed and its project id taken before any work
   * starts. Only the ledger's in-memory books are under the filesystem-wide lock; the record is
   * written outside it, under the volume's own lock, while the reservation holds its capacity.
   */
  private VolumeRecord commit(String name, VolumeId id, long capacity, FilesystemState fs, StorageClassParameters params,
      Map<String, String> parameters, Optional<VolumeSource> source) {
    try (var reservation = ledger.reserve(name, fs, capacity, () -> fs.external().isPresent()
        // The site's filesystem: the limit is the share of it the site allows volumes, not space
        // that growth could add, so the request is out of range, whatever else is committed.
        ? CsiException.outOfRange("capacity_range", Sizes.format(capacity) + " would take the capacity committed on filesystem "
            + fs.spec().fsName() + " past its limit of " + fs.describeLimit() + "; " + Sizes.format(ledger.available(fs)) + " is left")
        : CsiException.resourceExhausted("filesystem " + fs.spec().fsName() + " has "
        + Sizes.format(ledger.available(fs)) + " left before its growth limit of " + fs.describeLimit()
        + "; " + Sizes.format(capacity) + " requested"))) {
      VolumeRecord volume = new VolumeRecord(name, id, capacity, params.striping(), ledger.takeProjectId(fs.spec().fsName()),
          State.CREATING, parameters, source, clock.instant());
      journal.put(volume);
      return volume;
    }
  }

  /** Grows the filesystem until its OSTs hold everything committed to it; UNAVAILABLE while it comes up. */
  private void ensureOsts(String fsName) {
    FilesystemState state = filesystem(fsName);
    if (state.external().isPresent()) {
      // The site's filesystem never grows: its commitment limit was checked when the capacity was reserved.
      if (!state.ready() && !backend.refresh(fsName).ready()) {
        throw CsiException.unavailable("filesystem " + fsName + " is not ready as its management host's agent sees it; retry later");
      }
      return;
    }
    long committed = ledger.committed(fsName);
    int needed = ostsNeeded(committed, state);
    if (state.ready() && state.osts().size() >= needed) {
      return;  // OSTs are only ever added: most CreateVolume calls need no round trip to the servers here
    }
    if (state.osts().size() < needed) {
      LOG.log(Level.INFO, "filesystem " + fsName + " holds " + Sizes.format(state.capacityBytes()) + " and " + Sizes.format(committed)
          + " is committed: growing from " + state.osts().size() + " to " + needed + " OSTs");
    }
    state = backend.ensureOstCount(fsName, needed);
    if (!state.ready()) {
      // The status's reason (an MDS restarting, a target in recovery, OSTs being added) reaches `kubectl describe pvc`.
      throw CsiException.unavailable("filesystem " + fsName + " is not ready (" + state.osts().size() + " OSTs; "
          + state.notReady().orElse("coming up") + "); retry later");
    }
  }

  /** How many OSTs the filesystem needs to back {@code committed} bytes of volumes. */
  private static int ostsNeeded(long committed, FilesystemState state) {
    return (int) Math.max(1, Math.ceilDiv(committed, state.backedPerOst()));
  }

  /** Whether the driver's filesystem has fewer OSTs than its commitments need (ready or not). */
  private boolean lacksOsts(String fsName) {
    FilesystemState state = filesystem(fsName);
    return state.external().isEmpty() && state.osts().size() < ostsNeeded(ledger.committed(fsName), state);
  }

  private FilesystemState filesystem(String fsName) {
    return backend.describe(fsName)
        .orElseThrow(() -> CsiException.failedPrecondition("filesystem " + fsName + " has no LustreFilesystem resource"));
  }

  private static Map<String, String> withoutProvisionerMetadata(Map<String, String> raw) {
    Map<String, String> kept = new HashMap<>(raw);
    kept.keySet().removeAll(StorageClassParameters.PROVISIONER_METADATA);
    return kept;
  }
}
