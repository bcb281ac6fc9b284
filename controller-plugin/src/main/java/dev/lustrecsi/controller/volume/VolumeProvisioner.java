package dev.lustrecsi.controller.volume;

import dev.lustrecsi.common.concurrent.KeyedLocks;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.lustre.DirectoryUsage;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.parameters.ServerParameters;
import dev.lustrecsi.controller.lustre.FilesystemState;
import dev.lustrecsi.controller.lustre.LustreBackend;
import dev.lustrecsi.controller.parameters.StorageClassParameters;
import dev.lustrecsi.controller.volume.VolumeRecord.State;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Creates, expands and deletes volumes. Each step is recorded in the journal before the work it
 * stands for, and each backend call is idempotent, so a call interrupted anywhere converges when
 * retried, and concurrent calls for one volume never do its work twice.
 */
public final class VolumeProvisioner {
  private static final System.Logger LOG = System.getLogger(VolumeProvisioner.class.getName());

  private final VolumeJournal journal;
  private final LustreBackend backend;
  private final KeyedLocks volumeLocks = new KeyedLocks();
  private final FilesystemLedger ledger;
  /** The last state seen ready per filesystem; see {@link #ensureOsts}. */
  private final ConcurrentMap<String, FilesystemState> readyFilesystems = new ConcurrentHashMap<>();
  /** Server parameters the backend has agreed with, per filesystem: another StorageClass's are checked once. */
  private final ConcurrentMap<String, Set<ServerParameters>> acceptedServers = new ConcurrentHashMap<>();

  public VolumeProvisioner(VolumeJournal journal, LustreBackend backend) {
    this.journal = journal;
    this.backend = backend;
    this.ledger = new FilesystemLedger(journal);
  }

  /** CreateVolume: returns the volume named {@code name}, making it if it does not exist. */
  public VolumeRecord create(String name, CapacityRequest range, StorageClassParameters params, Map<String, String> rawParameters) {
    VolumeId id = new VolumeId(params.fsName(), VolumeId.directoryFor(name));
    Map<String, String> parameters = withoutProvisionerMetadata(rawParameters);
    if (params.lnet() == dev.lustrecsi.common.topology.LnetChoice.O2IB) {
      requireO2ibServers(params);
    }
    try (var nameLock = volumeLocks.acquire("name:" + name);
        var idLock = volumeLocks.acquire(id.toString())) {
      VolumeRecord volume = journal.byName(name)
          .map(existing -> checkCompatible(existing, id, range, parameters))
          .orElseGet(() -> commit(name, id, range.capacityToProvision("capacity_range"), params, parameters));
      if (volume.state() == State.CREATING) {
        ensureOsts(params.fsName(), params.servers());
        backend.ensureVolumeDirectory(id, volume.striping(), volume.projectId(), volume.capacityBytes());
        volume = volume.withState(State.READY);
        journal.put(volume);
        LOG.log(Level.INFO, "created volume " + id + " (" + Sizes.format(volume.capacityBytes()) + ", project " + volume.projectId() + ")");
      }
      return volume;
    }
  }

  /** DeleteVolume: removes the volume; an unknown id is already deleted. */
  public void delete(String volumeId) {
    Optional<VolumeId> id = VolumeId.parse(volumeId);
    if (id.isEmpty()) {
      return;
    }
    try (var lock = volumeLocks.acquire(id.get().toString())) {
      Optional<VolumeRecord> found = journal.byId(id.get());
      if (found.isEmpty()) {
        return;
      }
      VolumeRecord deleting = found.get().withState(State.DELETING);
      journal.put(deleting);
      backend.deleteVolumeDirectory(deleting.id(), deleting.projectId());
      journal.remove(deleting);
      ledger.release(deleting.id().fsName(), deleting.capacityBytes());
      LOG.log(Level.INFO, "deleted volume " + deleting.id());
    }
  }

  /** ControllerExpandVolume: raises the volume's quota, growing the filesystem first if needed. */
  public VolumeRecord expand(VolumeId id, CapacityRequest range) {
    try (var lock = volumeLocks.acquire(id.toString())) {
      VolumeRecord volume = journal.byId(id).orElseThrow(() -> CsiException.notFound("volume " + id + " does not exist"));
      if (volume.state() != State.READY) {
        throw CsiException.failedPrecondition("volume " + id + " is " + volume.state().name().toLowerCase() + ", not ready to expand");
      }
      long wanted = range.capacityToProvision("capacity_range");
      if (wanted > volume.capacityBytes()) {
        FilesystemRecord fs = filesystemOf(id);
        long growth = wanted - volume.capacityBytes();
        ledger.reserve(fs, growth, () -> CsiException.outOfRange("capacity_range", "expanding " + id + " to " + Sizes.format(wanted)
            + " would take filesystem " + id.fsName() + " past its growth limit of " + FilesystemLedger.describeLimit(fs)));
        recordOrRelease(volume.withCapacity(wanted), growth);
        ensureOsts(id.fsName(), ServerParameters.NONE);
      }
      VolumeRecord current = journal.byId(id).orElseThrow();
      // Set even when unchanged: a crash after the journal write but before the quota change is repaired here.
      backend.setQuota(id, current.projectId(), current.capacityBytes());
      return current;
    }
  }

  /**
   * What the node plugin needs to mount the volume's filesystem: the MGS NIDs per network (see
   * VolumeContext). Empty where no NIDs exist (the sandbox's simulated servers).
   */
  public Map<String, String> mountContext(String fsName) {
    FilesystemState state = readyFilesystems.get(fsName);
    if (state == null) {
      state = backend.describe(fsName).orElse(null);
    }
    Map<String, String> context = new java.util.LinkedHashMap<>();
    if (state != null) {
      String tcp = state.mgsNidsOn("tcp");
      String o2ib = state.mgsNidsOn("o2ib");
      if (!tcp.isEmpty()) {
        context.put(dev.lustrecsi.common.topology.VolumeContext.MGS_NIDS, tcp);
      }
      if (!o2ib.isEmpty()) {
        context.put(dev.lustrecsi.common.topology.VolumeContext.MGS_NIDS_O2IB, o2ib);
      }
    }
    return context;
  }

  /**
   * An RDMA-tier volume needs servers with o2ib NIDs: refused before anything is committed, so a
   * StorageClass that cannot work leaves nothing behind.
   */
  private void requireO2ibServers(StorageClassParameters params) {
    FilesystemState state = readyFilesystems.get(params.fsName());
    if (state == null) {
      state = backend.describe(params.fsName()).orElse(null);
    }
    if (state == null) {
      if (!params.servers().lnetNetworks().contains("o2ib")) {
        throw CsiException.invalidArgument("parameters.lnet", "o2ib volumes need servers on o2ib too: set lnetNetworks to tcp,o2ib");
      }
    } else if (!state.mgsNids().isEmpty() && state.mgsNidsOn("o2ib").isEmpty()) {
      throw CsiException.failedPrecondition("parameters.lnet: filesystem " + params.fsName() + " has no o2ib NIDs (its servers offer "
          + String.join(", ", state.mgsNids()) + "), so its volumes cannot be an RDMA tier");
    }
  }

  /** Capacity promised to the filesystem's volumes. */
  public long committedBytes(String fsName) {
    return ledger.committed(fsName);
  }

  public Optional<VolumeRecord> get(VolumeId id) {
    return journal.byId(id);
  }

  /** Capacity still available for new volumes: on one filesystem, or summed over all known ones. */
  public long availableCapacity(Optional<StorageClassParameters> params) {
    if (params.isPresent()) {
      StorageClassParameters p = params.get();
      return journal.filesystem(p.fsName()).map(ledger::available).orElse(p.maxCapacity());
    }
    return journal.filesystems().stream().mapToLong(ledger::available).sum();
  }

  /** The volume's usage as the backend reports it, or empty when its directory is missing. */
  public Optional<DirectoryUsage> usage(VolumeRecord volume) {
    return backend.usage(volume.id(), volume.projectId());
  }

  public boolean backendReachable() {
    return backend.reachable();
  }

  private VolumeRecord checkCompatible(VolumeRecord existing, VolumeId id, CapacityRequest range, Map<String, String> parameters) {
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
    if (existing.state() == State.DELETING) {
      throw CsiException.aborted("volume " + existing.name() + " is being deleted; retry later");
    }
    return existing;
  }

  /**
   * Records the new volume: its capacity is committed and its project id taken before any work
   * starts. Only the ledger's in-memory books are under the filesystem-wide lock; the record is
   * written outside it, under the volume's own lock.
   */
  private VolumeRecord commit(String name, VolumeId id, long capacity, StorageClassParameters params, Map<String, String> parameters) {
    if (capacity > params.maxCapacity()) {
      throw CsiException.outOfRange("capacity_range", Sizes.format(capacity) + " exceeds what filesystem " + params.fsName()
          + " can ever hold (" + params.maxOsts() + " OSTs of " + Sizes.format(params.ostSize()) + ")");
    }
    FilesystemRecord fs = journal.filesystem(params.fsName())
        .map(existing -> checkSameFilesystem(existing, params))
        .orElseGet(() -> new FilesystemRecord(params.fsName(), params.ostSize(), params.maxOsts(), FilesystemRecord.FIRST_PROJECT_ID,
            params.servers().overcommit()));
    ledger.reserve(fs, capacity, () -> CsiException.resourceExhausted("filesystem " + fs.fsName() + " has "
        + Sizes.format(ledger.available(fs)) + " left before its growth limit of " + FilesystemLedger.describeLimit(fs)
        + "; " + Sizes.format(capacity) + " requested"));
    int projectId;
    try {
      projectId = ledger.takeProjectId(fs);
    } catch (RuntimeException e) {
      ledger.release(fs.fsName(), capacity);
      throw e;
    }
    VolumeRecord volume = new VolumeRecord(name, id, capacity, params.striping(), projectId, State.CREATING, parameters);
    recordOrRelease(volume, capacity);
    return volume;
  }

  /** Writes the record whose capacity the ledger has just reserved, or gives the reservation back. */
  private void recordOrRelease(VolumeRecord volume, long reserved) {
    try {
      journal.put(volume);
    } catch (RuntimeException e) {
      ledger.release(volume.id().fsName(), reserved);
      throw e;
    }
  }

  private static FilesystemRecord checkSameFilesystem(FilesystemRecord fs, StorageClassParameters params) {
    if (fs.ostSize() != params.ostSize()) {
      throw CsiException.failedPrecondition("parameters." + StorageClassParameters.OST_SIZE + ": filesystem " + fs.fsName()
          + " was created with ostSize " + Sizes.format(fs.ostSize()) + ", this StorageClass asks for " + Sizes.format(params.ostSize()));
    }
    if (fs.maxOsts() != params.maxOsts()) {
      throw CsiException.failedPrecondition("parameters." + StorageClassParameters.MAX_OSTS + ": filesystem " + fs.fsName()
          + " was created with maxOsts " + fs.maxOsts() + ", this StorageClass asks for " + params.maxOsts());
    }
    if (params.servers().says(ServerParameters.OVERCOMMIT) && fs.overcommitFactor() != params.servers().overcommit()) {
      throw CsiException.failedPrecondition("parameters." + ServerParameters.OVERCOMMIT + ": filesystem " + fs.fsName()
          + " was created with overcommit " + fs.overcommitFactor() + ", this StorageClass asks for " + params.servers().overcommit());
    }
    return fs;
  }

  /** Grows the filesystem until its OSTs hold everything committed to it. */
  private void ensureOsts(String fsName, ServerParameters servers) {
    FilesystemRecord fs = filesystemOf(fsName);
    long committed = ledger.committed(fsName);
    int needed = (int) Math.max(1, Math.ceilDiv(committed, fs.backedPerOst()));
    FilesystemState known = readyFilesystems.get(fsName);
    boolean serversChecked = acceptedServers.getOrDefault(fsName, Set.of()).contains(servers);
    if (known != null && known.osts().size() >= needed && serversChecked) {
      // OSTs are only ever added, so a filesystem once seen ready with enough of them still has them:
      // most CreateVolume calls need no round trip to the servers here.
      return;
    }
    FilesystemState state = backend.ensureFilesystem(new FilesystemSpec(fs.fsName(), fs.ostSize(), fs.maxOsts(), fs.overcommitFactor(), servers));
    if (state.osts().size() < needed) {
      LOG.log(Level.INFO, "filesystem " + fsName + " holds " + Sizes.format(state.capacityBytes()) + " and " + Sizes.format(committed)
          + " is committed: growing from " + state.osts().size() + " to " + needed + " OSTs");
      state = backend.ensureOstCount(fsName, needed);
    }
    if (!state.ready()) {
      throw CsiException.unavailable("filesystem " + fsName + " is still coming up (" + state.osts().size() + " OSTs); retry later");
    }
    readyFilesystems.put(fsName, state);
    acceptedServers.computeIfAbsent(fsName, unused -> ConcurrentHashMap.newKeySet()).add(servers);
  }

  private FilesystemRecord filesystemOf(VolumeId id) {
    return filesystemOf(id.fsName());
  }

  private FilesystemRecord filesystemOf(String fsName) {
    return journal.filesystem(fsName).orElseThrow(() -> CsiException.internal("journal has volumes but no record of filesystem " + fsName, null));
  }

  private static Map<String, String> withoutProvisionerMetadata(Map<String, String> raw) {
    Map<String, String> kept = new HashMap<>(raw);
    kept.keySet().removeAll(StorageClassParameters.PROVISIONER_METADATA);
    return kept;
  }
}
