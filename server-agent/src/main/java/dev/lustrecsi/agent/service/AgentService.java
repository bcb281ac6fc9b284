package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.CheckServersParser;
import dev.lustrecsi.agent.lustre.ProjectOfDirectory;
import dev.lustrecsi.agent.lustre.ProjectQuota;
import dev.lustrecsi.agent.lustre.Striping;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetSpace;
import dev.lustrecsi.agent.v1.CreateTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.CreateTargetSnapshotsResponse;
import dev.lustrecsi.agent.v1.DestroyTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.DestroyTargetSnapshotsResponse;
import dev.lustrecsi.agent.v1.FreezeBarrierRequest;
import dev.lustrecsi.agent.v1.FreezeBarrierResponse;
import dev.lustrecsi.agent.v1.ListTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.ListTargetSnapshotsResponse;
import dev.lustrecsi.agent.v1.TargetSnapshot;
import dev.lustrecsi.agent.v1.MountTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.CopySnapshotDirectoryRequest;
import dev.lustrecsi.agent.v1.CopySnapshotDirectoryResponse;
import dev.lustrecsi.agent.v1.MountTargetSnapshotsResponse;
import dev.lustrecsi.agent.v1.UnmountTargetSnapshotsRequest;
import dev.lustrecsi.agent.v1.UnmountTargetSnapshotsResponse;
import dev.lustrecsi.agent.lustre.TargetPaths;
import dev.lustrecsi.agent.v1.ThawBarrierRequest;
import dev.lustrecsi.agent.v1.ThawBarrierResponse;
import dev.lustrecsi.common.volume.FsName;
import java.util.List;
import dev.lustrecsi.agent.v1.CheckServersRequest;
import dev.lustrecsi.agent.v1.CheckServersResponse;
import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.DeleteVolumeDirectoryResponse;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryRequest;
import dev.lustrecsi.agent.v1.EnsureVolumeDirectoryResponse;
import dev.lustrecsi.agent.v1.GetHealthRequest;
import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetProjectUsageRequest;
import dev.lustrecsi.agent.v1.GetProjectUsageResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageRequest;
import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.LustreAgentGrpc;
import dev.lustrecsi.agent.v1.MigrateOstFilesRequest;
import dev.lustrecsi.agent.v1.MigrateOstFilesResponse;
import dev.lustrecsi.agent.v1.NewDirectoryAccess;
import dev.lustrecsi.agent.v1.ReleaseOstRequest;
import dev.lustrecsi.agent.v1.ReleaseOstResponse;
import dev.lustrecsi.agent.v1.RemoveOstRequest;
import dev.lustrecsi.agent.v1.RemoveOstResponse;
import dev.lustrecsi.agent.v1.StopOstCreationRequest;
import dev.lustrecsi.agent.v1.StopOstCreationResponse;
import dev.lustrecsi.agent.v1.SetProjectQuotaRequest;
import dev.lustrecsi.agent.v1.ServerConnection;
import dev.lustrecsi.agent.v1.SetProjectQuotaResponse;
import dev.lustrecsi.agent.v1.Target;
import dev.lustrecsi.agent.v1.TargetUsage;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.volume.FsName;
import dev.lustrecsi.common.volume.DirectoryAccess;
import dev.lustrecsi.common.volume.Sizes;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's gRPC service. Requests are checked here (each error names its field), the work is
 * done by {@link LustreAdmin} and {@link VolumeDirectories}, and every failure leaves through
 * {@link AgentErrors}. Each call is idempotent: the controller retries after crashes and timeouts.
 */
public final class AgentService extends LustreAgentGrpc.LustreAgentImplBase {
  /** Project id 0 is every file's default project, and 2^32-1 is Lustre's "no id": neither can hold a volume. */
  private static final long MAX_PROJECT_ID = 0xFFFF_FFFEL;
  private static final System.Logger LOG = System.getLogger(AgentService.class.getName());

  /** Lustre OST indexes are below 65536 (OST%04x). */
  private static final int MAX_OST_INDEX = 0xFFFF;

  private final LustreAdmin lustre;
  private final TargetSnapshots snapshots;
  private final SnapshotMounts snapshotMounts;
  private final SnapshotCopies copies = new SnapshotCopies(Clock.systemUTC());
  private final OstRemoval osts;
  private final Optional<ClientFilesystem> client;
  private final Optional<SetupProblems> setupProblems;

  /**
   * @param runner runs every Lustre command
   * @param clientMount where this VM mounts the filesystem as a client; empty on VMs that only
   *     serve targets (they answer GetHealth and refuse the volume calls)
   */
  public AgentService(CommandRunner runner, Optional<Path> clientMount) {
    this(runner, clientMount, Optional.empty());
  }

  /**
   * @param clientMountStatus where the VM's setup writes how the client mount stands; a volume
   *     call that finds no client mount quotes it
   */
  public AgentService(CommandRunner runner, Optional<Path> clientMount, Optional<Path> clientMountStatus) {
    this(runner, clientMount, clientMountStatus, TargetPaths.SNAPSHOT_ROOT);
  }

  /**
   * @param snapshotMounts the directory the agent owns for mounting snapshots beside the live
   *     filesystem: each snapshot's pieces and client mount get mount points below it
   */
  public AgentService(CommandRunner runner, Optional<Path> clientMount, Optional<Path> clientMountStatus, Path snapshotMounts) {
    this(runner, clientMount, clientMountStatus, snapshotMounts, Optional.empty());
  }

  /**
   * @param setupProblems the directory where the VM's setup keeps why it leaves each target down
   *     (a pool another instance of the server still uses): health reports it
   */
  public AgentService(CommandRunner runner, Optional<Path> clientMount, Optional<Path> clientMountStatus, Path snapshotMounts,
      Optional<Path> setupProblems) {
    this.setupProblems = setupProblems.map(SetupProblems::new);
    this.lustre = new LustreAdmin(runner);
    SnapshotPieces pieces = new SnapshotPieces(runner);
    this.snapshotMounts = new SnapshotMounts(runner, pieces, snapshotMounts);
    this.snapshots = new TargetSnapshots(runner, pieces, this.snapshotMounts, Clock.systemUTC());
    this.osts = new OstRemoval(runner, Clock.systemUTC());
    this.client = clientMount.map(m -> new ClientFilesystem(m, lustre, clientMountStatus));
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws Exception;
  }

  private static <T> void respond(StreamObserver<T> observer, Call<T> call) {
    T response;
    try {
      response = call.run();
    } catch (Exception e) {
      observer.onError(AgentErrors.toStatus(e));
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  @Override
  public void getHealth(GetHealthRequest request, StreamObserver<GetHealthResponse> observer) {
    respond(observer, () -> {
      ServerHealth health = lustre.health();
      GetHealthResponse.Builder response = GetHealthResponse.newBuilder()
          .setHealthCheck(health.healthCheck())
          .setLustreNotLoaded(!health.modulesLoaded())
          .addAllNids(health.nids())
          .setLustreVersion(health.version());
      setupProblems.ifPresent(problems -> response.addAllSetupProblems(problems.read()));
      for (TargetState target : health.targets()) {
        Target.Builder t = Target.newBuilder()
            .setKind(kind(target.name().kind()))
            .setName(target.name().toString())
            .setIndex(target.name().index())
            .setUp(target.up());
        if (target.recovery() != null) {
          t.setRecoveryStatus(target.recovery().status()).setRecoveryTimeRemainingSeconds(target.recovery().timeRemainingSeconds());
        }
        response.addTargets(t);
      }
      return response.build();
    });
  }

  @Override
  public void ensureVolumeDirectory(EnsureVolumeDirectoryRequest request, StreamObserver<EnsureVolumeDirectoryResponse> observer) {
    respond(observer, () -> {
      ClientFilesystem fs = client();
      Striping striping = new Striping(request.getStripeCount(), request.getStripeSizeBytes(), request.getPool());
      Striping.Problem problem = striping.problem();
      if (problem != null) {
        throw CsiException.invalidArgument(problem.field(), problem.text());
      }
      long projectId = projectId(request.getProjectId());
      long limitKib = quotaKib(request.getQuotaBytes());
      Optional<DirectoryAccess> access = request.hasAccess() ? Optional.of(access(request.getAccess())) : Optional.empty();
      fs.check(request.getFsName());
      ProjectOfDirectory had = refuseForeignProject(fs, request.getDirectory(), projectId);
      Path directory = fs.directories().create("directory", request.getDirectory());
      lustre.setStriping(directory, striping);
      // The project goes on before the limit: a limit on a project nothing belongs to yet binds nothing,
      // while the other order would let a moment's writes land outside the project. A directory that
      // already carries the project with its inherit flag is not tagged again: the tag went on before
      // anything was written into it, so all it holds inherited the id, and the recursive walk would
      // take minutes on a restore or clone that has copied a large tree in by the time a retry comes.
      if (had.projectId() != projectId || !had.inherit()) {
        lustre.setProject(directory, projectId);
      }
      // Set at every call that asks: the controller asks only while the volume is being made, so a
      // retry after a crash gives the same owner and mode, and no call reaches a volume in use.
      if (access.isPresent()) {
        fs.directories().giveAccess(directory, access.get());
      }
      lustre.setBlockLimit(fs.mount(), projectId, limitKib);
      return EnsureVolumeDirectoryResponse.getDefaultInstance();
    });
  }

  @Override
  public void setProjectQuota(SetProjectQuotaRequest request, StreamObserver<SetProjectQuotaResponse> observer) {
    respond(observer, () -> {
      ClientFilesystem fs = client();
      long projectId = projectId(request.getProjectId());
      long limitKib = quotaKib(request.getQuotaBytes());
      fs.check(request.getFsName());
      lustre.setBlockLimit(fs.mount(), projectId, limitKib);
      return SetProjectQuotaResponse.getDefaultInstance();
    });
  }

  @Override
  public void deleteVolumeDirectory(DeleteVolumeDirectoryRequest request, StreamObserver<DeleteVolumeDirectoryResponse> observer) {
    respond(observer, () -> {
      ClientFilesystem fs = client();
      fs.directories().resolve("directory", request.getDirectory());
      long projectId = request.getProjectId() == 0 ? 0 : projectId(request.getProjectId());
      fs.check(request.getFsName());
      // Directory first, quota second: a crash in between leaves a quota entry that the retry deletes,
      // never a directory whose writes are no longer bounded. A directory tagged with another
      // project id is not the volume's (a create refused it): it is left as it is.
      Path directory = fs.directories().resolve("directory", request.getDirectory());
      // A restore's copy into it is done with before the directory goes (or the delete waits for it).
      copies.forget(directory);
      if (projectId != 0 && java.nio.file.Files.isDirectory(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        long tagged = lustre.projectOf(directory).projectId();
        if (tagged != 0 && tagged != projectId) {
          LOG.log(System.Logger.Level.WARNING, "leaving " + request.getDirectory() + ": it has project id " + tagged + ", not the volume's " + projectId);
        } else {
          fs.directories().delete("directory", request.getDirectory());
        }
      } else {
        fs.directories().delete("directory", request.getDirectory());
      }
      if (projectId != 0) {
        lustre.deleteQuota(fs.mount(), projectId);
      }
      return DeleteVolumeDirectoryResponse.getDefaultInstance();
    });
  }

  @Override
  public void getTargetUsage(GetTargetUsageRequest request, StreamObserver<GetTargetUsageResponse> observer) {
    respond(observer, () -> {
      ClientFilesystem fs = client();
      fs.check(request.getFsName());
      GetTargetUsageResponse.Builder response = GetTargetUsageResponse.newBuilder();
      for (TargetSpace space : lustre.targetSpace(fs.mount())) {
        response.addTargets(TargetUsage.newBuilder()
            .setUuid(space.uuid())
            .setKind(kind(space.target().kind()))
            .setIndex(space.target().index())
            .setCapacityBytes(space.totalKib() * Sizes.KIB)
            .setUsedBytes(space.usedKib() * Sizes.KIB)
            .setAvailableBytes(space.availableKib() * Sizes.KIB)
            .setFlags(space.flags())
            .setInactive(space.inactive()));
      }
      return response.build();
    });
  }

  @Override
  public void getProjectUsage(GetProjectUsageRequest request, StreamObserver<GetProjectUsageResponse> observer) {
    respond(observer, () -> {
      ClientFilesystem fs = client();
      long projectId = projectId(request.getProjectId());
      fs.check(request.getFsName());
      ProjectQuota quota = lustre.projectQuota(fs.mount(), projectId);
      return GetProjectUsageResponse.newBuilder()
          .setUsedBytes(quota.usedKib() * Sizes.KIB)
          .setLimitBytes(quota.hardLimitKib() * Sizes.KIB)
          .setFiles(quota.files())
          .setOverLimit(quota.overLimit())
          .build();
    });
  }

  @Override
  public void freezeBarrier(FreezeBarrierRequest request, StreamObserver<FreezeBarrierResponse> observer) {
    respond(observer, () -> {
      snapshots.freeze(fsName(request.getFsName()), TargetSnapshots.checkTimeout(request.getTimeoutSeconds()));
      return FreezeBarrierResponse.getDefaultInstance();
    });
  }

  @Override
  public void thawBarrier(ThawBarrierRequest request, StreamObserver<ThawBarrierResponse> observer) {
    respond(observer, () -> ThawBarrierResponse.newBuilder().setStateBefore(snapshots.thaw(fsName(request.getFsName())).state()).build());
  }

  @Override
  public void createTargetSnapshots(CreateTargetSnapshotsRequest request, StreamObserver<CreateTargetSnapshotsResponse> observer) {
    respond(observer, () -> {
      String fsName = fsName(request.getFsName());
      String name = TargetSnapshots.checkName(request.getSnapshotName());
      String snapshotFsName = TargetSnapshots.checkSnapshotFsName(fsName, request.getSnapshotFsName());
      Set<String> targets = TargetSnapshots.checkTargets(request.getTargetsList());
      return CreateTargetSnapshotsResponse.newBuilder().addAllSnapshots(wire(snapshots.create(fsName, name, snapshotFsName, targets))).build();
    });
  }

  @Override
  public void destroyTargetSnapshots(DestroyTargetSnapshotsRequest request, StreamObserver<DestroyTargetSnapshotsResponse> observer) {
    respond(observer, () -> {
      String fsName = fsName(request.getFsName());
      String name = TargetSnapshots.checkName(request.getSnapshotName());
      copies.refuseWhileCopying(name);
      return DestroyTargetSnapshotsResponse.newBuilder().addAllDestroyed(wire(snapshots.destroy(fsName, name))).build();
    });
  }

  @Override
  public void listTargetSnapshots(ListTargetSnapshotsRequest request, StreamObserver<ListTargetSnapshotsResponse> observer) {
    respond(observer, () -> ListTargetSnapshotsResponse.newBuilder().addAllSnapshots(wire(snapshots.list(fsName(request.getFsName())))).build());
  }

  @Override
  public void mountTargetSnapshots(MountTargetSnapshotsRequest request, StreamObserver<MountTargetSnapshotsResponse> observer) {
    respond(observer, () -> {
      String fsName = fsName(request.getFsName());
      String name = TargetSnapshots.checkName(request.getSnapshotName());
      return MountTargetSnapshotsResponse.newBuilder().addAllMounted(wire(snapshotMounts.mount(fsName, name))).build();
    });
  }

  @Override
  public void unmountTargetSnapshots(UnmountTargetSnapshotsRequest request, StreamObserver<UnmountTargetSnapshotsResponse> observer) {
    respond(observer, () -> {
      String name = TargetSnapshots.checkName(request.getSnapshotName());
      copies.refuseWhileCopying(name);
      snapshotMounts.unmount(fsName(request.getFsName()), name);
      return UnmountTargetSnapshotsResponse.getDefaultInstance();
    });
  }

  /**
   * Validates both directories as EnsureVolumeDirectory does, reports a copy into the target that
   * is known, else mounts the snapshot's client (if it is not mounted) and starts one.
   */
  @Override
  public void copySnapshotDirectory(CopySnapshotDirectoryRequest request, StreamObserver<CopySnapshotDirectoryResponse> observer) {
    respond(observer, () -> {
      ClientFilesystem fs = client();
      String name = TargetSnapshots.checkName(request.getSnapshotName());
      fs.check(request.getFsName());
      String fsName = request.getFsName();
      Path clientMount = snapshotMounts.clientMountPoint(fsName, name);
      new VolumeDirectories(clientMount).checkSyntax("source_directory", request.getSourceDirectory());
      Path target = fs.directories().resolve("target_directory", request.getTargetDirectory());
      SnapshotCopies.Key key = new SnapshotCopies.Key(name, Path.of(request.getSourceDirectory()));
      Optional<SnapshotCopies.Progress> known = copies.report(key, target);
      if (known.isPresent()) {
        return progress(known.get());
      }
      if (!java.nio.file.Files.isDirectory(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw CsiException.failedPrecondition("target_directory: " + request.getTargetDirectory()
            + " is not a directory of the live filesystem (EnsureVolumeDirectory makes it first)");
      }
      snapshotMounts.mountClient(fsName, name);
      Path source = new VolumeDirectories(clientMount).resolve("source_directory", request.getSourceDirectory());
      if (!java.nio.file.Files.isDirectory(source, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw CsiException.notFound("source_directory: " + request.getSourceDirectory() + " is not a directory in snapshot " + name);
      }
      return progress(copies.start(key, source, target, new DirectoryCopy.Layouts() {
        @Override
        public Optional<Striping> defaultOf(Path directory) throws Exception {
          return lustre.defaultLayout(directory);
        }

        @Override
        public void apply(Path directory, Striping striping) throws Exception {
          lustre.setStriping(directory, striping);
        }
      }));
    });
  }

  /** The request's owner and mode, checked by the rules the controller checks its StorageClass by. */
  private static DirectoryAccess access(NewDirectoryAccess access) {
    // uint32 fields: read unsigned, so that 2^32-1 is refused as too large rather than taken as -1.
    long mode = Integer.toUnsignedLong(access.getMode());
    String problem = DirectoryAccess.modeProblem(mode);
    if (problem != null) {
      throw CsiException.invalidArgument("access.mode", problem);
    }
    long uid = Integer.toUnsignedLong(access.getUid());
    if ((problem = DirectoryAccess.idProblem(uid)) != null) {
      throw CsiException.invalidArgument("access.uid", problem);
    }
    long gid = Integer.toUnsignedLong(access.getGid());
    if ((problem = DirectoryAccess.idProblem(gid)) != null) {
      throw CsiException.invalidArgument("access.gid", problem);
    }
    return new DirectoryAccess((int) mode, uid, gid);
  }

  private static CopySnapshotDirectoryResponse progress(SnapshotCopies.Progress progress) {
    return CopySnapshotDirectoryResponse.newBuilder()
        .setState(switch (progress.state()) {
          case RUNNING -> CopySnapshotDirectoryResponse.State.RUNNING;
          case DONE -> CopySnapshotDirectoryResponse.State.DONE;
          case FAILED -> CopySnapshotDirectoryResponse.State.FAILED;
        })
        .setFilesCopied(progress.files())
        .setBytesCopied(progress.bytes())
        .setMessage(progress.message())
        .build();
  }

  @Override
  public void stopOstCreation(StopOstCreationRequest request, StreamObserver<StopOstCreationResponse> observer) {
    respond(observer, () -> {
      osts.stopCreation(OstRemoval.ost(fsName(request.getFsName()), ostIndex(request.getOstIndex())));
      return StopOstCreationResponse.getDefaultInstance();
    });
  }

  @Override
  public void migrateOstFiles(MigrateOstFilesRequest request, StreamObserver<MigrateOstFilesResponse> observer) {
    respond(observer, () -> {
      ClientFilesystem fs = client();
      int index = ostIndex(request.getOstIndex());
      if (request.getMaxFiles() < 1) {
        throw CsiException.invalidArgument("max_files", request.getMaxFiles() + " is below 1");
      }
      if (request.getMaxSeconds() < 0) {
        throw CsiException.invalidArgument("max_seconds", request.getMaxSeconds() + " is negative");
      }
      fs.check(request.getFsName());
      io.grpc.Context call = io.grpc.Context.current();  // cancelled once the caller's deadline passes
      OstRemoval.Batch batch = osts.migrate(fs.mount(), OstRemoval.ost(request.getFsName(), index), request.getMaxFiles(),
          Duration.ofSeconds(request.getMaxSeconds()), call::isCancelled);
      MigrateOstFilesResponse.Builder response = MigrateOstFilesResponse.newBuilder().setFilesFound(batch.found())
          .setFilesMigrated(batch.migrated()).setFilesFailed(batch.failed()).setFirstFailure(batch.firstFailure())
          .setFilesStuckInPool(batch.stuck());
      batch.stuckIn().ifPresent(closed -> response.setStuckPool(closed.pool())
          .addAllStuckPoolOsts(closed.osts().stream().map(Object::toString).toList()));
      return response.build();
    });
  }

  @Override
  public void removeOst(RemoveOstRequest request, StreamObserver<RemoveOstResponse> observer) {
    respond(observer, () -> {
      var ost = OstRemoval.ost(fsName(request.getFsName()), ostIndex(request.getOstIndex()));
      boolean gone = request.getCheckOnly() ? osts.removed(ost) : osts.remove(ost);
      return RemoveOstResponse.newBuilder().setAlreadyRemoved(gone).build();
    });
  }

  @Override
  public void releaseOst(ReleaseOstRequest request, StreamObserver<ReleaseOstResponse> observer) {
    respond(observer, () -> {
      osts.release(OstRemoval.ost(fsName(request.getFsName()), ostIndex(request.getOstIndex())));
      return ReleaseOstResponse.getDefaultInstance();
    });
  }

  private static String fsName(String name) {
    String problem = FsName.problem(name);
    if (problem != null) {
      throw CsiException.invalidArgument("fs_name", problem);
    }
    return name;
  }

  private static List<TargetSnapshot> wire(List<SnapshotPieces.Piece> pieces) {
    return pieces.stream().map(p -> TargetSnapshot.newBuilder().setTarget(p.target()).setDataset(p.dataset().dataset())
        .setSnapshotName(p.name()).setCreationSeconds(p.creationSeconds()).build()).toList();
  }

  @Override
  public void checkServers(CheckServersRequest request, StreamObserver<CheckServersResponse> observer) {
    respond(observer, () -> {
      ClientFilesystem fs = client();
      fs.check(request.getFsName());
      CheckServersResponse.Builder response = CheckServersResponse.newBuilder();
      java.util.Map<String, String> imports = lustre.importStates(request.getFsName());
      for (CheckServersParser.Connection connection : lustre.connections(request.getFsName())) {
        response.addConnections(ServerConnection.newBuilder()
            .setDevice(connection.device())
            .setKind(kind(connection.target().kind()))
            .setIndex(connection.target().index())
            .setActive(connection.active())
            .setImportState(imports.getOrDefault(connection.device(), "")));
      }
      return response.build();
    });
  }

  /**
   * Refuses a volume directory that carries another project id, or that would take one from the
   * directory it is made in (a directory with the inherit flag passes its id to what is made
   * inside): the site tags directories for quotas of its own, and taking one over would move the
   * site's files into a volume's quota. Checked before anything is made, on the directory if it
   * exists, else on the nearest directory above it that does.
   */
  /** Refuses a directory tagged by someone else; returns the directory's own tag (no id when it does not exist yet). */
  private ProjectOfDirectory refuseForeignProject(ClientFilesystem fs, String relative, long projectId) throws Exception {
    Path directory = fs.directories().resolve("directory", relative);
    Path existing = directory;
    while (!java.nio.file.Files.isDirectory(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !existing.equals(fs.mount())) {
      existing = existing.getParent();
    }
    ProjectOfDirectory tag = lustre.projectOf(existing);
    boolean own = existing.equals(directory);
    if (tag.projectId() != 0 && tag.projectId() != projectId && (own || tag.inherit())) {
      if (own) {
        throw CsiException.failedPrecondition("directory: " + relative + " already has project id " + tag.projectId() + ", not "
            + projectId + "; refusing to take over a directory tagged by someone else");
      }
      String where = existing.equals(fs.mount()) ? "the filesystem root" : fs.mount().relativize(existing).toString();
      throw CsiException.failedPrecondition("directory: " + relative + " would inherit project id " + tag.projectId() + " from " + where
          + " (its inherit flag is set), not " + projectId + "; refusing to make a volume inside a directory tagged by someone else");
    }
    return own ? tag : new ProjectOfDirectory(0, false);
  }

  private ClientFilesystem client() {
    return client.orElseThrow(() -> CsiException.failedPrecondition(
        "this server does not mount the filesystem as a client (no --client-mount): volume calls go to the MDS VM's agent"));
  }

  private static long projectId(int wire) {
    long id = Integer.toUnsignedLong(wire);
    if (id == 0) {
      throw CsiException.missing("project_id");
    }
    if (id > MAX_PROJECT_ID) {
      throw CsiException.invalidArgument("project_id", id + " is Lustre's reserved \"no id\"");
    }
    return id;
  }

  /** Bytes rounded up to whole KiB, the unit lfs setquota takes; 0 stays 0 (unlimited). */
  private static long quotaKib(long bytes) {
    if (bytes < 0) {
      throw CsiException.invalidArgument("quota_bytes", bytes + " is negative");
    }
    return Math.ceilDiv(bytes, Sizes.KIB);
  }

  private static Target.Kind kind(TargetKind kind) {
    return switch (kind) {
      case MGT -> Target.Kind.MGT;
      case MDT -> Target.Kind.MDT;
      case OST -> Target.Kind.OST;
    };
  }

  private static int ostIndex(int index) {
    if (index < 0 || index > MAX_OST_INDEX) {
      throw CsiException.invalidArgument("ost_index", index + " is not an OST index (0 to " + MAX_OST_INDEX + ")");
    }
    return index;
  }
}
