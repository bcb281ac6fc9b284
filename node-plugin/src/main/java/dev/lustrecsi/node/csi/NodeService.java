package dev.lustrecsi.node.csi;

import csi.v1.NodeGetCapabilitiesRequest;
import csi.v1.NodeGetCapabilitiesResponse;
import csi.v1.NodeGetInfoRequest;
import csi.v1.NodeGetInfoResponse;
import csi.v1.NodeGetVolumeStatsRequest;
import csi.v1.NodeGetVolumeStatsResponse;
import csi.v1.NodeGrpc;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodePublishVolumeResponse;
import csi.v1.NodeServiceCapability;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.NodeStageVolumeResponse;
import csi.v1.NodeUnpublishVolumeRequest;
import csi.v1.NodeUnpublishVolumeResponse;
import csi.v1.NodeUnstageVolumeRequest;
import csi.v1.NodeUnstageVolumeResponse;
import csi.v1.Topology;
import csi.v1.VolumeCapability;
import csi.v1.VolumeCondition;
import csi.v1.VolumeUsage;
import dev.lustrecsi.common.concurrent.KeyedLocks;
import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.volume.MountOptions;
import dev.lustrecsi.common.request.RequestFields;
import dev.lustrecsi.common.topology.LnetChoice;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.node.mount.FilesystemMounts;
import dev.lustrecsi.node.mount.LustreSource;
import dev.lustrecsi.node.mount.MountEntry;
import dev.lustrecsi.node.mount.MountTable;
import dev.lustrecsi.node.mount.Mounter;
import dev.lustrecsi.node.mount.PerMountFlags;
import dev.lustrecsi.node.stats.StatsProbe;
import dev.lustrecsi.node.stats.VolumeStats;
import dev.lustrecsi.node.health.MountHealth;
import dev.lustrecsi.node.topology.NodeNetworking;
import dev.lustrecsi.node.topology.SourceChooser;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CSI Node service. Staging mounts the volume's filesystem once per node and binds the
 * volume directory to the staging path; publishing binds the staging path into the pod. All
 * state is read back from mountinfo, so every call can be repeated and a restarted plugin picks
 * up where the last one stopped.
 */
public final class NodeService extends NodeGrpc.NodeImplBase {
  private static final System.Logger LOG = System.getLogger(NodeService.class.getName());

  static final List<NodeServiceCapability.RPC.Type> CAPABILITIES = List.of(
      NodeServiceCapability.RPC.Type.STAGE_UNSTAGE_VOLUME,
      NodeServiceCapability.RPC.Type.GET_VOLUME_STATS,
      NodeServiceCapability.RPC.Type.VOLUME_CONDITION,
      NodeServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER);

  private final String nodeId;
  private final PathPolicy paths;
  private final FilesystemMounts filesystems;
  private final MountTable mounts;
  private final Mounter mounter;
  private final StatsProbe stats;
  private final NodeNetworking networking;
  private final SourceChooser sources;
  private final MountHealth health;
  private final VolumePaths volumePaths;
  private final KeyedLocks locks = new KeyedLocks();
  /** Keys of the locks of staging paths, apart from volume ids and publish targets. */
  private static final String STAGING = "staging:";

  public NodeService(String nodeId, PathPolicy paths, FilesystemMounts filesystems, MountTable mounts, Mounter mounter, StatsProbe stats,
      NodeNetworking networking, MountHealth health) {
    this.nodeId = nodeId;
    this.paths = paths;
    this.filesystems = filesystems;
    this.mounts = mounts;
    this.mounter = mounter;
    this.stats = stats;
    this.networking = networking;
    this.sources = new SourceChooser(networking);
    this.health = health;
    this.volumePaths = new VolumePaths(mounts, filesystems);
  }

  @Override
  public void nodeStageVolume(NodeStageVolumeRequest request, StreamObserver<NodeStageVolumeResponse> response) {
    String volumeIdText = RequestFields.id(request.getVolumeId(), "volume_id");
    Path staging = paths.check(request.getStagingTargetPath(), "staging_target_path");
    MountOptions options = mountOptions(request.hasVolumeCapability(), request.getVolumeCapability(), "volume_capability");
    VolumeLocation volume = VolumeLocation.resolve(volumeIdText, request.getVolumeContextMap());
    LustreSource source = sources.choose(volumeIdText, volume.context());
    List<String> bindOptions = bindOptions(options, readerOnly(request.getVolumeCapability()));
    // The staging path's lock too: two volumes staged onto one path at once would both find it
    // empty and stack their binds there.
    try (var lock = locks.acquire(volumeIdText); var stagingLock = locks.acquire(STAGING + staging)) {
      Optional<MountEntry> current = mounts.at(staging);
      if (current.isEmpty()) {
        volumePaths.requireApart(staging, "staging_target_path");
      }
      filesystems.withMounted(source, options.lustre(), fsMount -> {
        SameFilesystem.require(fsMount, volume);
        requireRdmaMount(fsMount, volume);
        if (current.isPresent()) {
          requireSameVolume(current.get(), volume);
          finishBind(current.get(), staging, bindOptions, "volume " + volumeIdText + " is already staged read-only");
          return null;
        }
        Path fsRoot = filesystems.mountPoint(volume.fsName());
        Path directory = volume.directory().isEmpty() ? fsRoot : fsRoot.resolve(volume.directory());
        if (!Files.isDirectory(directory)) {
          throw CsiException.notFound("volume " + volumeIdText + " has no directory " + (volume.directory().isEmpty() ? "/" : volume.directory())
              + " on filesystem " + volume.fsName());
        }
        requireInside(directory, fsRoot, volumeIdText);
        bind(directory, staging, bindOptions, "staging_target_path");
        return null;
      });
    }
    response.onNext(NodeStageVolumeResponse.getDefaultInstance());
    response.onCompleted();
  }

  /**
   * Unmounts the staging path if it shows the volume named; a path that shows another volume, or
   * nothing of this driver's, is left alone: the named volume is not staged there, which the
   * spec answers with OK.
   */
  @Override
  public void nodeUnstageVolume(NodeUnstageVolumeRequest request, StreamObserver<NodeUnstageVolumeResponse> response) {
    String volumeIdText = knownVolume(RequestFields.id(request.getVolumeId(), "volume_id"));
    Path staging = paths.check(request.getStagingTargetPath(), "staging_target_path");
    Optional<VolumeLocation> named = VolumeLocation.namedByIdAlone(volumeIdText);
    try (var lock = locks.acquire(volumeIdText); var stagingLock = locks.acquire(STAGING + staging)) {
      Optional<MountEntry> current = mounts.at(staging);
      if (current.isPresent()) {
        MountedVolume shown = volumePaths.shown(current.get(), named).orElse(null);
        if (shown == null) {
          LOG.log(Level.WARNING, "unstage of " + volumeIdText + " left " + staging + " mounted: it does not hold that volume");
        } else {
          unmount(staging);
          filesystems.releaseIfUnused(shown.fsName());
        }
      } else {
        // Unstaged before, perhaps by a call that failed after its unmount: the filesystem may still be unused and mounted.
        VolumeId.parse(volumeIdText).map(VolumeId::fsName).ifPresent(filesystems::releaseIfUnused);
      }
    }
    response.onNext(NodeUnstageVolumeResponse.getDefaultInstance());
    response.onCompleted();
  }

  /**
   * Binds the staging path onto the target, once mountinfo shows that the staging path holds the
   * volume named. Anything else is FAILED_PRECONDITION, as for a volume not yet staged: the CO
   * is to stage that volume there before it publishes it. A stage or unstage of the volume in
   * progress makes it ABORTED (the CO retries), as does another publish to the same target;
   * publishes of the volume to other targets go on at the same time.
   */
  @Override
  public void nodePublishVolume(NodePublishVolumeRequest request, StreamObserver<NodePublishVolumeResponse> response) {
    String id = knownVolume(RequestFields.id(request.getVolumeId(), "volume_id"));
    Path target = paths.check(request.getTargetPath(), "target_path");
    Path staging = paths.check(request.getStagingTargetPath(), "staging_target_path");
    if (staging.startsWith(target)) {
      throw CsiException.invalidArgument("target_path", CallerText.quote(target.toString()) + " is or contains the staging_target_path");
    }
    MountOptions options = mountOptions(request.hasVolumeCapability(), request.getVolumeCapability(), "volume_capability");
    // Publish carries the volume context, so a static id names its directory here too: without it, any volume would do.
    Optional<VolumeLocation> named = Optional.of(VolumeLocation.resolve(id, request.getVolumeContextMap()));
    // With the "ro" mount flag as with the readonly field, the bind options hold ro: a retry is judged by them alone.
    List<String> bindOptions = bindOptions(options, request.getReadonly() || readerOnly(request.getVolumeCapability()));
    // The volume's own lock too, shared: stage and unstage take it alone, and an unstage between the
    // check below and the bind would leave the bind showing the bare staging directory on the node's
    // disk. Shared, so that the pods of a job array starting on one node publish the volume at once.
    try (var targetLock = locks.acquire("publish:" + target); var volumeLock = locks.acquireShared(id)) {
      MountEntry staged = mounts.at(staging).orElseThrow(() -> CsiException.failedPrecondition(
          "volume " + id + " is not staged at " + CallerText.quote(staging.toString()) + "; call NodeStageVolume first"));
      if (volumePaths.shown(staged, named).isEmpty()) {
        throw CsiException.failedPrecondition("staging_target_path " + CallerText.quote(staging.toString()) + " does not hold volume " + id
            + "; stage that volume there first");
      }
      Optional<MountEntry> current = mounts.at(target);
      if (current.isPresent()) {
        MountEntry existing = current.get();
        if (!existing.showsSameAs(staged)) {
          throw CsiException.alreadyExists("target_path " + CallerText.quote(target.toString()) + " already has a different volume mounted");
        }
        finishBind(existing, target, bindOptions, "volume " + id + " is already published at " + CallerText.quote(target.toString()) + " read-only");
      } else {
        if (staged.readOnly() && !bindOptions.contains("ro")) {
          // "mount --bind" would inherit ro, and "remount,bind" with other options (noexec, say)
          // would drop it: the pod would get a writable view of a volume staged read-only on purpose.
          throw CsiException.failedPrecondition("volume " + id + " is staged read-only at staging_target_path "
              + CallerText.quote(staging.toString()) + ", and this publish asks for it writable (readonly false, no ro mount flag,"
              + " a writer access mode in volume_capability); publish it read-only, or stage it writable");
        }
        volumePaths.requireApart(target, "target_path");
        bind(staging, target, bindOptions, "target_path");
      }
    }
    response.onNext(NodePublishVolumeResponse.getDefaultInstance());
    response.onCompleted();
  }

  /**
   * Unmounts the target if it shows the volume named and removes the directory publishing made.
   * A target that shows another volume, or lies inside one, is left as it is.
   */
  @Override
  public void nodeUnpublishVolume(NodeUnpublishVolumeRequest request, StreamObserver<NodeUnpublishVolumeResponse> response) {
    String id = knownVolume(RequestFields.id(request.getVolumeId(), "volume_id"));
    Path target = paths.check(request.getTargetPath(), "target_path");
    Optional<VolumeLocation> named = VolumeLocation.namedByIdAlone(id);
    try (var lock = locks.acquire("publish:" + target)) {
      Optional<MountEntry> current = mounts.at(target);
      if (current.isPresent() && volumePaths.shown(current.get(), named).isEmpty()) {
        LOG.log(Level.WARNING, "unpublish of " + id + " left " + target + " mounted: it does not hold that volume");
      } else {
        if (current.isPresent()) {
          unmount(target);
        }
        volumePaths.requireApart(target, "target_path");
        removeTargetDirectory(target);
      }
    }
    response.onNext(NodeUnpublishVolumeResponse.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void nodeGetVolumeStats(NodeGetVolumeStatsRequest request, StreamObserver<NodeGetVolumeStatsResponse> response) {
    String id = knownVolume(RequestFields.id(request.getVolumeId(), "volume_id"));
    // Any path a volume was staged or published at: not held to the allowed roots, so a path that
    // is not one of ours is NOT_FOUND (as csi-sanity expects) rather than a caller's mistake.
    String pathText = RequestFields.path(request.getVolumePath(), "volume_path");
    Path path = Path.of(pathText).toAbsolutePath().normalize();
    MountEntry mount = mounts.at(path).orElseThrow(() -> CsiException.notFound("no volume is mounted at " + CallerText.quote(pathText)));
    MountedVolume shown = volumePaths.shown(mount, VolumeLocation.namedByIdAlone(id))
        .orElseThrow(() -> CsiException.notFound("volume " + id + " is not mounted at " + CallerText.quote(pathText)));
    NodeGetVolumeStatsResponse.Builder answer = NodeGetVolumeStatsResponse.newBuilder();
    Optional<String> stale = health.problem(shown.fsName());
    if (stale.isPresent()) {
      // A hung filesystem would also hang this statfs: answer from the background checker instead.
      answer.setVolumeCondition(condition(true, stale.get()));
      response.onNext(answer.build());
      response.onCompleted();
      return;
    }
    switch (stats.probe(VolumeId.parse(id), path)) {
      case StatsProbe.Result.Answered(VolumeStats s) -> {
        answer.addUsage(VolumeUsage.newBuilder().setUnit(VolumeUsage.Unit.BYTES)
            .setTotal(s.totalBytes()).setAvailable(s.availableBytes()).setUsed(s.usedBytes()));
        answer.addUsage(VolumeUsage.newBuilder().setUnit(VolumeUsage.Unit.INODES)
            .setTotal(s.totalInodes()).setAvailable(s.freeInodes()).setUsed(s.usedInodes()));
        // Lustre's statfs of a project past its limit never shows more used than the size: it
        // reports the limit as the size and nothing free (ll_statfs_project), so used == total.
        boolean atQuota = s.totalBytes() > 0 && s.availableBytes() == 0 && s.usedBytes() >= s.totalBytes();
        answer.setVolumeCondition(atQuota
            ? condition(true, "volume is at or over its quota: " + s.usedBytes() + " bytes used of " + s.totalBytes())
            : condition(false, "healthy"));
      }
      case StatsProbe.Result.Failed(String reason) -> answer.setVolumeCondition(condition(true, reason));
    }
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void nodeGetCapabilities(NodeGetCapabilitiesRequest request, StreamObserver<NodeGetCapabilitiesResponse> response) {
    NodeGetCapabilitiesResponse.Builder answer = NodeGetCapabilitiesResponse.newBuilder();
    for (NodeServiceCapability.RPC.Type type : CAPABILITIES) {
      answer.addCapabilities(NodeServiceCapability.newBuilder().setRpc(NodeServiceCapability.RPC.newBuilder().setType(type)));
    }
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void nodeGetInfo(NodeGetInfoRequest request, StreamObserver<NodeGetInfoResponse> response) {
    response.onNext(NodeGetInfoResponse.newBuilder().setNodeId(nodeId)
        .setAccessibleTopology(Topology.newBuilder().putSegments(dev.lustrecsi.common.topology.Topology.RDMA_KEY,
            dev.lustrecsi.common.topology.Topology.rdmaValue(networking.rdmaForTopology())))
        .build());
    response.onCompleted();
  }

  /**
   * The filesystem is mounted once per node, over whichever network its first volume chose. An
   * RDMA-tier volume must not quietly ride a tcp mount: it fails, saying what to do.
   */
  static void requireRdmaMount(MountEntry fsMount, VolumeLocation volume) {
    if (volume.context().lnet() == LnetChoice.O2IB && fsMount.fsType().equals("lustre") && !fsMount.source().contains("@o2ib")) {
      throw CsiException.failedPrecondition("volume " + volume.volumeId() + " needs RDMA (lnet: o2ib) but filesystem " + volume.fsName()
          + " is already mounted on this node from " + fsMount.source() + "; it is mounted over o2ib again once its other volumes are unstaged here");
    }
  }

  /**
   * The volume directory, symlinks resolved, must lie inside the filesystem: anyone who can write
   * to the filesystem could otherwise swap a directory for a link to the node's /etc and have it
   * bound into a pod.
   */
  private static void requireInside(Path directory, Path fsRoot, String volumeId) {
    try {
      if (!directory.toRealPath().startsWith(fsRoot.toRealPath())) {
        throw CsiException.failedPrecondition("volume " + volumeId + ": " + directory + " leads outside filesystem mount " + fsRoot + " through a symbolic link");
      }
    } catch (IOException e) {
      throw CsiException.internal("cannot resolve " + directory + ": " + e.getMessage(), e);
    }
  }

  private void requireSameVolume(MountEntry existing, VolumeLocation volume) {
    if (volumePaths.shown(existing, Optional.of(volume)).isEmpty()) {
      throw CsiException.alreadyExists("staging_target_path " + CallerText.quote(existing.mountPoint().toString())
          + " already has a different volume mounted");
    }
  }

  /**
   * Brings the volume's existing bind at {@code path} to the per-mount options asked for. A bind
   * that lacks some is what a call stopped between "mount --bind" and the remount that applies
   * them leaves behind (the plugin killed, mount(8) timed out): it never answered OK for that
   * mount, so the remount finishes it, and a retry neither fails for ever nor answers OK for a
   * mount without noexec or nosuid. Mountinfo cannot tell that from an earlier call that asked
   * for other options (kubelet sends one volume's the same each time); the options this call asks
   * for are what its caller needs either way. A read-only bind asked to be writable is the one
   * conflict left: making it writable could expose a volume made read-only on purpose, so that
   * stays ALREADY_EXISTS.
   */
  private void finishBind(MountEntry existing, Path path, List<String> options, String alreadyReadOnly) {
    if (existing.readOnly() && !options.contains("ro")) {
      throw CsiException.alreadyExists(alreadyReadOnly);
    }
    List<String> missing = PerMountFlags.missing(existing, options);
    if (missing.isEmpty()) {
      return;
    }
    LOG.log(Level.INFO, path + " is bound without " + missing + ": applying " + options + " (a previous call stopped before it did)");
    try {
      mounter.remount(path, options);
    } catch (CommandFailedException e) {
      throw CsiException.internal("remounting " + path + " with " + String.join(",", options) + " failed: " + e.getMessage(), e);
    }
  }

  private void bind(Path source, Path target, List<String> options, String field) {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw CsiException.invalidArgument(field, CallerText.quote(target.toString()) + " exists and is not a directory");
    }
    try {
      Files.createDirectories(target);
      mounter.bind(source, target, options);
    } catch (IOException e) {
      throw CsiException.internal("cannot create " + target + ": " + e.getMessage(), e);
    } catch (CommandFailedException e) {
      throw CsiException.internal("bind mount of " + source + " on " + target + " failed: " + e.getMessage(), e);
    }
  }

  /** Removes the empty directory publishing made; never a file, and nothing that is not empty. */
  private static void removeTargetDirectory(Path target) {
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.deleteIfExists(target);
    } catch (DirectoryNotEmptyException e) {
      // Not ours to empty: something was written to the bare mount point.
    } catch (IOException e) {
      throw CsiException.internal("cannot remove target_path " + target + ": " + e.getMessage(), e);
    }
  }

  private void unmount(Path path) {
    try {
      mounter.unmount(path);
    } catch (CommandFailedException e) {
      throw CsiException.internal("unmounting " + path + " failed: " + e.getMessage(), e);
    }
  }

  /** The id of a volume this driver can have staged: provisioned ({@code fsName/directory}) or static. */
  private static String knownVolume(String text) {
    if (VolumeLocation.isStatic(text) || VolumeId.parse(text).isPresent()) {
      return text;
    }
    throw CsiException.notFound("volume " + CallerText.quote(text) + " is not a volume of this driver");
  }

  private static MountOptions mountOptions(boolean present, VolumeCapability capability, String field) {
    if (!present) {
      throw CsiException.missing(field);
    }
    if (capability.hasBlock()) {
      throw CsiException.invalidArgument(field, "block access is not supported: Lustre volumes are mounted filesystems");
    }
    if (!capability.hasMount()) {
      throw CsiException.invalidArgument(field + ".access_type", "is required (mount)");
    }
    String fsType = capability.getMount().getFsType();
    if (!fsType.isEmpty() && !fsType.equals("lustre")) {
      throw CsiException.invalidArgument(field + ".mount.fs_type", CallerText.quote(fsType) + " is not supported; use lustre or leave it empty");
    }
    VolumeCapability.AccessMode.Mode mode = capability.getAccessMode().getMode();
    if (mode == VolumeCapability.AccessMode.Mode.UNKNOWN || mode == VolumeCapability.AccessMode.Mode.UNRECOGNIZED) {
      throw CsiException.invalidArgument(field + ".access_mode", "is required");
    }
    return MountOptions.parse(capability.getMount().getMountFlagsList(), field + ".mount.mount_flags");
  }

  private static boolean readerOnly(VolumeCapability capability) {
    VolumeCapability.AccessMode.Mode mode = capability.getAccessMode().getMode();
    return mode == VolumeCapability.AccessMode.Mode.SINGLE_NODE_READER_ONLY || mode == VolumeCapability.AccessMode.Mode.MULTI_NODE_READER_ONLY;
  }

  private static List<String> bindOptions(MountOptions options, boolean readOnly) {
    List<String> bind = new ArrayList<>(options.bind());
    bind.remove("rw");
    if (readOnly && !bind.contains("ro")) {
      bind.add("ro");
    }
    return bind;
  }

  private static VolumeCondition condition(boolean abnormal, String message) {
    return VolumeCondition.newBuilder().setAbnormal(abnormal).setMessage(message).build();
  }
}
