package dev.lustrecsi.controller.csi;

import csi.v1.CreateSnapshotRequest;
import csi.v1.CreateSnapshotResponse;
import csi.v1.DeleteSnapshotRequest;
import csi.v1.DeleteSnapshotResponse;
import csi.v1.GetSnapshotRequest;
import csi.v1.GetSnapshotResponse;
import csi.v1.ListSnapshotsRequest;
import csi.v1.ListSnapshotsResponse;
import csi.v1.Snapshot;
import com.google.protobuf.Timestamp;
import dev.lustrecsi.controller.snapshot.SnapshotRecord;
import dev.lustrecsi.controller.snapshot.SnapshotService;
import csi.v1.ControllerExpandVolumeRequest;
import csi.v1.ControllerExpandVolumeResponse;
import csi.v1.ControllerGetCapabilitiesRequest;
import csi.v1.ControllerGetCapabilitiesResponse;
import csi.v1.ControllerGetVolumeRequest;
import csi.v1.ControllerGetVolumeResponse;
import csi.v1.ControllerGrpc;
import csi.v1.ControllerServiceCapability;
import csi.v1.CreateVolumeRequest;
import csi.v1.CreateVolumeResponse;
import csi.v1.DeleteVolumeRequest;
import csi.v1.DeleteVolumeResponse;
import csi.v1.GetCapacityRequest;
import csi.v1.GetCapacityResponse;
import csi.v1.ListVolumesRequest;
import csi.v1.ListVolumesResponse;
import csi.v1.ValidateVolumeCapabilitiesRequest;
import csi.v1.ValidateVolumeCapabilitiesResponse;
import csi.v1.Volume;
import csi.v1.VolumeContentSource;
import com.google.protobuf.Int64Value;
import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.request.RequestFields;
import dev.lustrecsi.common.topology.LnetChoice;
import dev.lustrecsi.common.topology.Topology;
import dev.lustrecsi.common.topology.VolumeContext;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.parameters.StorageClassParameters;
import dev.lustrecsi.controller.volume.CapacityRequest;
import dev.lustrecsi.controller.volume.VolumeProvisioner;
import dev.lustrecsi.controller.volume.VolumeRecord;
import dev.lustrecsi.controller.volume.VolumeSource;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;

/**
 * The CSI Controller service: validates each request, hands it to the {@link VolumeProvisioner},
 * and maps the result back to CSI messages. Errors are thrown as CsiException and mapped in one
 * place by the server.
 */
public final class ControllerService extends ControllerGrpc.ControllerImplBase {
  /** Keys of the volume context handed to the node plugin. */
  public static final String CONTEXT_FS_NAME = "fsName";
  public static final String CONTEXT_DIRECTORY = "directory";
  public static final String CONTEXT_LNET = VolumeContext.LNET;

  static final List<ControllerServiceCapability.RPC.Type> CAPABILITIES = List.of(
      ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME,
      ControllerServiceCapability.RPC.Type.LIST_VOLUMES,
      ControllerServiceCapability.RPC.Type.GET_CAPACITY,
      ControllerServiceCapability.RPC.Type.EXPAND_VOLUME,
      ControllerServiceCapability.RPC.Type.GET_VOLUME,
      ControllerServiceCapability.RPC.Type.VOLUME_CONDITION,
      ControllerServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER,
      ControllerServiceCapability.RPC.Type.CREATE_DELETE_SNAPSHOT,
      ControllerServiceCapability.RPC.Type.CLONE_VOLUME,
      ControllerServiceCapability.RPC.Type.LIST_SNAPSHOTS,
      ControllerServiceCapability.RPC.Type.GET_SNAPSHOT);

  /**
   * Parameter keys the external snapshotter adds (secret references, and with
   * --extra-create-metadata the VolumeSnapshot's name and namespace): accepted and unused. A
   * snapshot takes no parameters of its own, so any other key is refused rather than ignored.
   */
  static final String CO_PARAMETER_PREFIX = "csi.storage.k8s.io/";

  private final VolumeProvisioner provisioner;
  private final VolumePages pages;
  private final SnapshotService snapshots;
  private final ContentSources contentSources;

  public ControllerService(VolumeProvisioner provisioner, VolumePages pages, SnapshotService snapshots) {
    this.provisioner = provisioner;
    this.pages = pages;
    this.snapshots = snapshots;
    this.contentSources = new ContentSources(snapshots, provisioner);
  }

  @Override
  public void createSnapshot(CreateSnapshotRequest request, StreamObserver<CreateSnapshotResponse> response) {
    String name = RequestFields.id(request.getName(), "name");
    String source = RequestFields.id(request.getSourceVolumeId(), "source_volume_id");
    for (String key : request.getParametersMap().keySet()) {
      if (!key.startsWith(CO_PARAMETER_PREFIX)) {
        throw CsiException.invalidArgument("parameters." + key, "is not a snapshot parameter: snapshots of this driver take none");
      }
    }
    response.onNext(CreateSnapshotResponse.newBuilder().setSnapshot(toCsi(snapshots.create(name, source))).build());
    response.onCompleted();
  }

  @Override
  public void deleteSnapshot(DeleteSnapshotRequest request, StreamObserver<DeleteSnapshotResponse> response) {
    snapshots.delete(RequestFields.id(request.getSnapshotId(), "snapshot_id"));
    response.onNext(DeleteSnapshotResponse.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void listSnapshots(ListSnapshotsRequest request, StreamObserver<ListSnapshotsResponse> response) {
    if (request.getMaxEntries() < 0) {
      throw CsiException.invalidArgument("max_entries", "must not be negative");
    }
    String token = RequestFields.optional(request.getStartingToken(), "starting_token");
    String snapshotId = RequestFields.optional(request.getSnapshotId(), "snapshot_id");
    String source = RequestFields.optional(request.getSourceVolumeId(), "source_volume_id");
    // A filter naming nothing that exists is an empty list, not an error (CSI spec).
    List<SnapshotRecord> matching = (snapshotId.isEmpty() ? snapshots.ready() : snapshots.get(snapshotId).stream().toList()).stream()
        .filter(s -> source.isEmpty() || s.source().toString().equals(source))
        .toList();
    SnapshotPages.Page page = SnapshotPages.page(matching, token, request.getMaxEntries());
    ListSnapshotsResponse.Builder answer = ListSnapshotsResponse.newBuilder().setNextToken(page.nextToken());
    page.snapshots().forEach(s -> answer.addEntries(ListSnapshotsResponse.Entry.newBuilder().setSnapshot(toCsi(s))));
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void getSnapshot(GetSnapshotRequest request, StreamObserver<GetSnapshotResponse> response) {
    String snapshotId = RequestFields.id(request.getSnapshotId(), "snapshot_id");
    SnapshotRecord snapshot = snapshots.get(snapshotId)
        .orElseThrow(() -> CsiException.notFound("snapshot " + CallerText.quote(snapshotId) + " does not exist"));
    response.onNext(GetSnapshotResponse.newBuilder().setSnapshot(toCsi(snapshot)).build());
    response.onCompleted();
  }

  static Snapshot toCsi(SnapshotRecord snapshot) {
    return Snapshot.newBuilder()
        .setSnapshotId(snapshot.id().toString())
        .setSourceVolumeId(snapshot.source().toString())
        .setSizeBytes(snapshot.sizeBytes())
        .setCreationTime(Timestamp.newBuilder().setSeconds(snapshot.creationSeconds()))
        .setReadyToUse(snapshot.state() == SnapshotRecord.State.READY)
        .setGroupSnapshotId(snapshot.groupId())
        .build();
  }

  @Override
  public void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> response) {
    String name = RequestFields.id(request.getName(), "name");
    VolumeCapabilities.require(request.getVolumeCapabilitiesList(), "volume_capabilities");
    refuseMutableParameters(request.getMutableParamsMap());
    StorageClassParameters params = StorageClassParameters.parse(request.getParametersMap());
    CapacityRequest range = CapacityRequest.of(request.getCapacityRange().getRequiredBytes(), request.getCapacityRange().getLimitBytes(), "capacity_range");
    Optional<VolumeSource> source = Optional.empty();
    CapacityRequest sized = range;
    VolumeRecord volume;
    // A snapshot restored from stays in use from its check until the record naming it is written.
    try (SnapshotService.RestoreStart restoring = contentSources.hold(request.getVolumeContentSource())) {
      if (request.hasVolumeContentSource()) {
        source = contentSources.recorded(request.getVolumeContentSource(), name);
        if (source.isEmpty()) {
          // Checked in full before anything is committed, so an unknown or unfit source gets the spec's code for it.
          ContentSources.Source checked = contentSources.check(request.getVolumeContentSource(), name, params.fsName(), range);
          source = Optional.of(checked.volume());
          sized = range.holding(checked.sizeBytes());
        }
      }
      volume = provisioner.create(name, sized, params, request.getParametersMap(), source);
    }
    Volume created = toCsi(volume).toBuilder().putAllVolumeContext(provisioner.mountContext(volume.id().fsName())).build();
    response.onNext(CreateVolumeResponse.newBuilder().setVolume(withNetwork(created, params.lnet())).build());
    response.onCompleted();
  }

  @Override
  public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> response) {
    provisioner.delete(RequestFields.id(request.getVolumeId(), "volume_id"));
    response.onNext(DeleteVolumeResponse.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest request, StreamObserver<ValidateVolumeCapabilitiesResponse> response) {
    VolumeRecord volume = existing(request.getVolumeId());
    if (request.getVolumeCapabilitiesCount() == 0) {
      throw CsiException.missing("volume_capabilities");
    }
    refuseMutableParameters(request.getMutableParamsMap());
    ValidateVolumeCapabilitiesResponse.Builder answer = ValidateVolumeCapabilitiesResponse.newBuilder();
    String problem = null;
    for (int i = 0; i < request.getVolumeCapabilitiesCount() && problem == null; i++) {
      try {
        problem = VolumeCapabilities.problem(request.getVolumeCapabilities(i), "volume_capabilities[" + i + "]");
      } catch (CsiException invalidFlags) {
        problem = invalidFlags.getMessage();
      }
    }
    if (problem == null && !request.getParametersMap().isEmpty()) {
      try {
        StorageClassParameters params = StorageClassParameters.parse(request.getParametersMap());
        if (!params.fsName().equals(volume.id().fsName()) || !params.striping().equals(volume.striping())) {
          problem = "parameters describe a different filesystem or layout than volume " + volume.id() + " has";
        }
      } catch (CsiException invalidParams) {
        problem = invalidParams.getMessage();
      }
    }
    if (problem == null) {
      answer.setConfirmed(ValidateVolumeCapabilitiesResponse.Confirmed.newBuilder()
          .addAllVolumeCapabilities(request.getVolumeCapabilitiesList())
          .putAllVolumeContext(request.getVolumeContextMap())
          .putAllParameters(request.getParametersMap()));
    } else {
      answer.setMessage(problem);
    }
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void listVolumes(ListVolumesRequest request, StreamObserver<ListVolumesResponse> response) {
    if (request.getMaxEntries() < 0) {
      throw CsiException.invalidArgument("max_entries", "must not be negative");
    }
    VolumePages.Page page = pages.page(RequestFields.optional(request.getStartingToken(), "starting_token"), request.getMaxEntries());
    ListVolumesResponse.Builder answer = ListVolumesResponse.newBuilder().setNextToken(page.nextToken());
    VolumeConditions conditions = new VolumeConditions(provisioner);
    for (VolumeRecord volume : page.volumes()) {
      answer.addEntries(ListVolumesResponse.Entry.newBuilder()
          .setVolume(toCsi(volume))
          .setStatus(ListVolumesResponse.VolumeStatus.newBuilder().setVolumeCondition(conditions.of(volume))));
    }
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void getCapacity(GetCapacityRequest request, StreamObserver<GetCapacityResponse> response) {
    for (int i = 0; i < request.getVolumeCapabilitiesCount(); i++) {
      String problem = VolumeCapabilities.problem(request.getVolumeCapabilities(i), "volume_capabilities[" + i + "]");
      if (problem != null) {
        // Capacity for a capability we cannot serve is zero, not an error (CSI spec).
        response.onNext(GetCapacityResponse.newBuilder().setAvailableCapacity(0).build());
        response.onCompleted();
        return;
      }
    }
    Optional<StorageClassParameters> params = request.getParametersMap().isEmpty()
        ? Optional.empty()
        : Optional.of(StorageClassParameters.parse(request.getParametersMap()));
    long available = provisioner.availableCapacity(params);
    response.onNext(GetCapacityResponse.newBuilder()
        .setAvailableCapacity(available)
        .setMaximumVolumeSize(Int64Value.of(available))
        .setMinimumVolumeSize(Int64Value.of(CapacityRequest.MINIMUM))
        .build());
    response.onCompleted();
  }

  @Override
  public void controllerGetCapabilities(ControllerGetCapabilitiesRequest request, StreamObserver<ControllerGetCapabilitiesResponse> response) {
    ControllerGetCapabilitiesResponse.Builder answer = ControllerGetCapabilitiesResponse.newBuilder();
    for (ControllerServiceCapability.RPC.Type type : CAPABILITIES) {
      answer.addCapabilities(ControllerServiceCapability.newBuilder().setRpc(ControllerServiceCapability.RPC.newBuilder().setType(type)));
    }
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void controllerExpandVolume(ControllerExpandVolumeRequest request, StreamObserver<ControllerExpandVolumeResponse> response) {
    String volumeId = RequestFields.id(request.getVolumeId(), "volume_id");
    if (!request.hasCapacityRange()) {
      throw CsiException.missing("capacity_range");
    }
    if (request.hasVolumeCapability()) {
      String problem = VolumeCapabilities.problem(request.getVolumeCapability(), "volume_capability");
      if (problem != null) {
        throw CsiException.invalidArgument("volume_capability", problem);
      }
    }
    VolumeId id = VolumeId.parse(volumeId).orElseThrow(() -> CsiException.notFound("volume " + CallerText.quote(volumeId) + " does not exist"));
    CapacityRequest range = CapacityRequest.of(request.getCapacityRange().getRequiredBytes(), request.getCapacityRange().getLimitBytes(), "capacity_range");
    VolumeRecord volume = provisioner.expand(id, range);
    response.onNext(ControllerExpandVolumeResponse.newBuilder()
        .setCapacityBytes(volume.capacityBytes())
        // The quota is the size: nothing to do on the node, the mount sees the new size at once.
        .setNodeExpansionRequired(false)
        .build());
    response.onCompleted();
  }

  @Override
  public void controllerGetVolume(ControllerGetVolumeRequest request, StreamObserver<ControllerGetVolumeResponse> response) {
    VolumeRecord volume = existing(request.getVolumeId());
    response.onNext(ControllerGetVolumeResponse.newBuilder()
        .setVolume(toCsi(volume))
        .setStatus(ControllerGetVolumeResponse.VolumeStatus.newBuilder().setVolumeCondition(new VolumeConditions(provisioner).of(volume)))
        .build());
    response.onCompleted();
  }

  private VolumeRecord existing(String volumeId) {
    RequestFields.id(volumeId, "volume_id");
    return VolumeId.parse(volumeId)
        .flatMap(provisioner::get)
        .orElseThrow(() -> CsiException.notFound("volume " + CallerText.quote(volumeId) + " does not exist"));
  }

  /**
   * The spec lets a CO send {@code mutable_parameters} only to a plugin that offers MODIFY_VOLUME;
   * this one does not, so they would be silently ignored if accepted.
   */
  private static void refuseMutableParameters(java.util.Map<String, String> mutable) {
    if (!mutable.isEmpty()) {
      throw CsiException.invalidArgument("mutable_parameters", "are not supported: this plugin does not offer MODIFY_VOLUME");
    }
  }


  /**
   * Adds the volume's network: {@code lnet} in the context for the node plugin, and for the RDMA
   * tier an accessibility requirement on the rdma segment, so its pods only land on RDMA nodes.
   */
  static Volume withNetwork(Volume volume, LnetChoice lnet) {
    Volume.Builder built = volume.toBuilder().putVolumeContext(CONTEXT_LNET, lnet.value());
    if (lnet == LnetChoice.O2IB) {
      built.addAccessibleTopology(csi.v1.Topology.newBuilder().putSegments(Topology.RDMA_KEY, Topology.rdmaValue(true)));
    }
    return built.build();
  }

  static Volume toCsi(VolumeRecord volume) {
    Volume.Builder csi = Volume.newBuilder()
        .setVolumeId(volume.id().toString())
        .setCapacityBytes(volume.capacityBytes())
        .putVolumeContext(CONTEXT_FS_NAME, volume.id().fsName())
        .putVolumeContext(CONTEXT_DIRECTORY, volume.id().directory());
    // The spec: a volume made from a source names it in content_source.
    volume.source().ifPresent(source -> csi.setContentSource(switch (source.kind()) {
      case SNAPSHOT -> VolumeContentSource.newBuilder().setSnapshot(VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(source.id()));
      case VOLUME -> VolumeContentSource.newBuilder().setVolume(VolumeContentSource.VolumeSource.newBuilder().setVolumeId(source.id()));
    }));
    return csi.build();
  }
}
