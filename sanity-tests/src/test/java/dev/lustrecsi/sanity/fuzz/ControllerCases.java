package dev.lustrecsi.sanity.fuzz;

import static dev.lustrecsi.sanity.fuzz.Expect.anything;
import static dev.lustrecsi.sanity.fuzz.Expect.fails;
import static dev.lustrecsi.sanity.fuzz.Expect.notConfirmed;
import static dev.lustrecsi.sanity.fuzz.Expect.refused;
import static io.grpc.Status.Code.ABORTED;
import static io.grpc.Status.Code.ALREADY_EXISTS;
import static io.grpc.Status.Code.NOT_FOUND;
import static io.grpc.Status.Code.OUT_OF_RANGE;
import static io.grpc.Status.Code.RESOURCE_EXHAUSTED;

import csi.v1.CapacityRange;
import csi.v1.ControllerExpandVolumeRequest;
import csi.v1.ControllerGetVolumeRequest;
import csi.v1.CreateVolumeRequest;
import csi.v1.CreateVolumeResponse;
import csi.v1.DeleteVolumeRequest;
import csi.v1.GetCapacityRequest;
import csi.v1.ListVolumesRequest;
import csi.v1.Topology;
import csi.v1.TopologyRequirement;
import csi.v1.ValidateVolumeCapabilitiesRequest;
import csi.v1.VolumeCapability;
import csi.v1.VolumeContentSource;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Fuzzed requests of the Controller service, on the world's volumes and on volumes the run makes. */
final class ControllerCases {
  private static final long GIB = 1L << 30;

  private final FuzzWorld world;
  private final HostileText text;
  private final HostileValues values;
  private final Stubs stubs;
  private int names;

  ControllerCases(FuzzWorld world, HostileText text, HostileValues values, Stubs stubs) {
    this.world = world;
    this.text = text;
    this.values = values;
    this.stubs = stubs;
  }

  FuzzCase create(int changes) {
    boolean again = text.chance(40);
    String name = again ? world.aName : "fuzz-" + world.target.runId() + "-c" + ++names;
    CreateVolumeRequest.Builder request = CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(FuzzWorld.capability())
        .putAllParameters(world.target.parameters()).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(GIB));
    Draft draft = new Draft(again ? "create A again" : "create a new volume", anything().orUnavailable());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(10)) {
        case 0 -> {
          HostileValues.Text value = text.chance(25) ? new HostileValues.Text("", "missing") : values.string(128);
          request.setName(value.value());
          draft.change("name", value.what(), NodeCases.expectOfId(value, anything().orUnavailable()));
        }
        case 1 -> capabilities(draft, request.getVolumeCapabilitiesList(), request::clearVolumeCapabilities, request::addVolumeCapabilities);
        case 2 -> {
          Map.Entry<String, String> bad = text.oneOf(HostileValues.BAD_PARAMETERS);
          request.putParameters(bad.getKey(), bad.getValue());
          draft.change("parameters", bad.getKey() + "=" + bad.getValue().length() + " characters", refused());
        }
        case 3 -> {
          request.putAllParameters(values.oversizeMap());
          draft.change("parameters", "over 4 KiB", refused());
        }
        case 4 -> {
          request.putMutableParams(text.oneOf("stripeCount", "iops", text.printable(8)), text.printable(8));
          draft.change("mutable_parameters", "given", refused());
        }
        case 5 -> secrets(draft, request::putAllSecrets);
        case 6 -> capacity(draft, request::setCapacityRange, anything().orUnavailable());
        case 7 -> contentSource(draft, request);
        case 8 -> {
          boolean big = text.chance(50);
          request.setAccessibilityRequirements(TopologyRequirement.newBuilder().addRequisite(Topology.newBuilder()
              .putAllSegments(big ? values.oversizeMap() : values.smallMap())));
          draft.change("accessibility_requirements", big ? "over 4 KiB" : "random", big ? refused() : anything().orUnavailable());
        }
        default -> {
          request.putParameters(text.oneOf("stripeCount", "stripeSize", "lnet"), text.oneOf("2", "1M", "tcp"));
          draft.change("parameters", "another valid value", anything().orUnavailable());
        }
      }
    }
    CreateVolumeRequest built = request.build();
    return new FuzzCase("CreateVolume", draft.description(), draft.expect(), () -> {
      try {
        return stubs.controller().createVolume(built);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
          world.createPending(built);
        }
        throw e;
      }
    }, null,
        ok -> world.volumeCreated(((CreateVolumeResponse) ok).getVolume().getVolumeId()));
  }

  FuzzCase delete(int changes) {
    DeleteVolumeRequest.Builder request = DeleteVolumeRequest.newBuilder().setVolumeId(world.deletable());
    Draft draft = new Draft("delete " + request.getVolumeId(), anything());
    for (int i = 0; i < changes; i++) {
      if (text.chance(70)) {
        HostileValues.Text value = values.id();
        // Never the world's own volumes: they are staged and published for the rest of the run.
        String id = value.what().equals("another volume's id") ? world.deletable() : value.value();
        request.setVolumeId(id);
        draft.change("volume_id", value.what(), NodeCases.expectOfId(value, anything()));
      } else {
        secrets(draft, request::putAllSecrets);
      }
    }
    DeleteVolumeRequest built = request.build();
    return new FuzzCase("DeleteVolume", draft.description(), draft.expect(), () -> stubs.controller().deleteVolume(built), null, null);
  }

  FuzzCase validate(int changes) {
    ValidateVolumeCapabilitiesRequest.Builder request = ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId(world.a.getVolumeId())
        .addVolumeCapabilities(FuzzWorld.capability()).putAllVolumeContext(world.a.getVolumeContextMap());
    Draft draft = new Draft("validate A", anything());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(7)) {
        case 0 -> {
          HostileValues.Text value = values.id();
          request.setVolumeId(value.value());
          draft.change("volume_id", value.what(), NodeCases.expectOfId(value,
              value.what().equals("another volume's id") ? anything() : fails(NOT_FOUND)));
        }
        case 1 -> {
          if (text.chance(25)) {
            request.clearVolumeCapabilities();
            draft.change("volume_capabilities", "missing", refused());
          } else {
            String what = values.badCapabilityWhat().what();
            request.addVolumeCapabilities(values.badCapability(what));
            draft.change("volume_capabilities", what, notConfirmed());
          }
        }
        case 2 -> {
          Map.Entry<String, String> bad = text.oneOf(HostileValues.BAD_PARAMETERS);
          request.putAllParameters(world.target.parameters()).putParameters(bad.getKey(), bad.getValue());
          draft.change("parameters", bad.getKey() + " bad", notConfirmed());
        }
        case 3 -> {
          request.putAllParameters(world.target.parameters()).putParameters("stripeCount", text.oneOf("2", "-1", "7"));
          draft.change("parameters", "another layout", notConfirmed());
        }
        case 4 -> {
          request.putMutableParams("iops", "100");
          draft.change("mutable_parameters", "given", refused());
        }
        case 5 -> {
          boolean big = text.chance(50);
          request.putAllVolumeContext(big ? values.oversizeMap() : values.smallMap());
          draft.change("volume_context", big ? "over 4 KiB" : "random", big ? refused() : anything());
        }
        default -> secrets(draft, request::putAllSecrets);
      }
    }
    ValidateVolumeCapabilitiesRequest built = request.build();
    return new FuzzCase("ValidateVolumeCapabilities", draft.description(), draft.expect(),
        () -> stubs.controller().validateVolumeCapabilities(built), null, null);
  }

  FuzzCase list(int changes) {
    ListVolumesRequest.Builder request = ListVolumesRequest.newBuilder();
    Draft draft = new Draft("list", anything());
    for (int i = 0; i < changes; i++) {
      if (text.chance(40)) {
        int max = text.chance(50) ? -1 - text.random().nextInt(Integer.MAX_VALUE) : text.random().nextInt(1000);
        request.setMaxEntries(max);
        draft.change("max_entries", Integer.toString(max), max < 0 ? refused() : anything());
      } else {
        HostileValues.Text value = values.string(128);
        request.setStartingToken(value.value());
        // A token is the last volume id of a page: random text that happens to read as one is a token.
        boolean token = dev.lustrecsi.common.volume.VolumeId.parse(value.value()).isPresent();
        draft.change("starting_token", value.what(), NodeCases.expectOfId(value, token ? anything() : fails(ABORTED)));
      }
    }
    ListVolumesRequest built = request.build();
    return new FuzzCase("ListVolumes", draft.description(), draft.expect(), () -> stubs.controller().listVolumes(built), null, null);
  }

  FuzzCase capacity(int changes) {
    GetCapacityRequest.Builder request = GetCapacityRequest.newBuilder();
    Draft draft = new Draft("capacity", anything());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(5)) {
        case 0 -> {
          String what = values.badCapabilityWhat().what();
          request.addVolumeCapabilities(values.badCapability(what));
          // A capability the driver cannot serve has no capacity: zero, not an error, whatever the parameters say.
          draft.change("volume_capabilities", what, anything());
          draft.okWhatever();
        }
        case 1 -> {
          Map.Entry<String, String> bad = text.oneOf(HostileValues.BAD_PARAMETERS);
          request.putAllParameters(world.target.parameters()).putParameters(bad.getKey(), bad.getValue());
          draft.change("parameters", bad.getKey() + " bad", refused());
        }
        case 2 -> {
          request.putAllParameters(values.oversizeMap());
          draft.change("parameters", "over 4 KiB", refused());
        }
        case 3 -> {
          boolean big = text.chance(50);
          request.setAccessibleTopology(Topology.newBuilder().putAllSegments(big ? values.oversizeMap() : values.smallMap()));
          draft.change("accessible_topology", big ? "over 4 KiB" : "random", big ? refused() : anything());
        }
        default -> {
          request.putAllParameters(world.target.parameters());
          draft.change("parameters", "the run's", anything());
        }
      }
    }
    GetCapacityRequest built = request.build();
    return new FuzzCase("GetCapacity", draft.description(), draft.expect(), () -> stubs.controller().getCapacity(built), null, null);
  }

  FuzzCase expand(int changes) {
    ControllerExpandVolumeRequest.Builder request = ControllerExpandVolumeRequest.newBuilder().setVolumeId(world.a.getVolumeId())
        .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(GIB + (text.random().nextInt(1024) << 20)));
    Draft draft = new Draft("expand A", anything().orUnavailable());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(4)) {
        case 0 -> {
          HostileValues.Text value = values.id();
          request.setVolumeId(value.value());
          draft.change("volume_id", value.what(), NodeCases.expectOfId(value,
              value.what().equals("another volume's id") ? anything().orUnavailable() : fails(NOT_FOUND)));
        }
        case 1 -> {
          if (text.chance(25)) {
            request.clearCapacityRange();
            draft.change("capacity_range", "missing", refused());
          } else {
            capacity(draft, request::setCapacityRange, anything().orUnavailable());
          }
        }
        case 2 -> {
          String what = values.badCapabilityWhat().what();
          request.setVolumeCapability(values.badCapability(what));
          draft.change("volume_capability", what, refused());
        }
        default -> secrets(draft, request::putAllSecrets);
      }
    }
    ControllerExpandVolumeRequest built = request.build();
    return new FuzzCase("ControllerExpandVolume", draft.description(), draft.expect(),
        () -> stubs.controller().controllerExpandVolume(built), null, null);
  }

  FuzzCase get(int changes) {
    ControllerGetVolumeRequest.Builder request = ControllerGetVolumeRequest.newBuilder().setVolumeId(world.a.getVolumeId());
    Draft draft = new Draft("get A", anything());
    for (int i = 0; i < changes; i++) {
      HostileValues.Text value = values.id();
      request.setVolumeId(value.value());
      draft.change("volume_id", value.what(), NodeCases.expectOfId(value,
          value.what().equals("another volume's id") ? anything() : fails(NOT_FOUND)));
    }
    ControllerGetVolumeRequest built = request.build();
    return new FuzzCase("ControllerGetVolume", draft.description(), draft.expect(), () -> stubs.controller().controllerGetVolume(built),
        null, null);
  }

  /**
   * A clone of A, of another volume or of an id that names none; a restore from one of the run's
   * snapshots, from a group snapshot's member, or from an id that names no snapshot; or a source
   * that names neither kind.
   */
  private void contentSource(Draft draft, CreateVolumeRequest.Builder request) {
    switch (text.random().nextInt(5)) {
      case 0 -> {
        request.setVolumeContentSource(VolumeContentSource.newBuilder().setVolume(VolumeContentSource.VolumeSource.newBuilder()
            .setVolumeId(world.a.getVolumeId())));
        // A clone of A: made (UNAVAILABLE while it copies), ALREADY_EXISTS for A's own name, FAILED_PRECONDITION on a site's filesystem.
        draft.change("volume_content_source", "a clone of A", anything().orUnavailable());
      }
      case 1 -> {
        HostileValues.Text value = values.id();
        request.setVolumeContentSource(VolumeContentSource.newBuilder().setVolume(VolumeContentSource.VolumeSource.newBuilder()
            .setVolumeId(value.value())));
        // B or the static volume may be cloned (or not, with the spec's code); any other id names no volume of this driver.
        draft.change("volume_content_source.volume.volume_id", value.what(), NodeCases.expectOfId(value,
            value.what().equals("another volume's id") ? anything().orUnavailable() : fails(NOT_FOUND)));
      }
      case 2, 3 -> {
        HostileValues.Text value = values.snapshotId();
        request.setVolumeContentSource(VolumeContentSource.newBuilder().setSnapshot(VolumeContentSource.SnapshotSource.newBuilder()
            .setSnapshotId(value.value())));
        // A snapshot of the run's, a group's member among them, may be restored from; any other id names no snapshot.
        boolean snapshot = value.what().equals("a snapshot's id") && !world.groups().containsKey(value.value())
            && !value.value().contains("does-not-exist");
        draft.change("volume_content_source.snapshot.snapshot_id", value.what(), NodeCases.expectOfId(value,
            snapshot ? anything().orUnavailable() : fails(NOT_FOUND, ALREADY_EXISTS)));
      }
      default -> {
        request.setVolumeContentSource(VolumeContentSource.getDefaultInstance());
        draft.change("volume_content_source", "naming neither a snapshot nor a volume", refused());
      }
    }
  }

  private void capabilities(Draft draft, List<VolumeCapability> current, Runnable clear, java.util.function.Consumer<VolumeCapability> add) {
    if (text.chance(15)) {
      String what = values.otherGoodCapabilityWhat().what();
      add.accept(values.otherGoodCapability(what));
      draft.change("volume_capabilities", "also " + what, anything().orUnavailable());
      return;
    }
    if (text.chance(25)) {
      clear.run();
      draft.change("volume_capabilities", "missing", refused());
    } else {
      String what = values.badCapabilityWhat().what();
      add.accept(values.badCapability(what));
      draft.change("volume_capabilities", what, refused());
    }
  }

  private void capacity(Draft draft, java.util.function.Consumer<CapacityRange> set, Expect otherwise) {
    switch (text.random().nextInt(5)) {
      case 0 -> {
        set.accept(CapacityRange.newBuilder().setRequiredBytes(-1 - text.random().nextInt(1 << 30)).build());
        draft.change("capacity_range", "negative required_bytes", refused());
      }
      case 1 -> {
        set.accept(CapacityRange.newBuilder().setLimitBytes(-1 - text.random().nextInt(1 << 30)).build());
        draft.change("capacity_range", "negative limit_bytes", refused());
      }
      case 2 -> {
        set.accept(CapacityRange.newBuilder().setRequiredBytes(4 * GIB).setLimitBytes(GIB).build());
        draft.change("capacity_range", "required over limit", refused());
      }
      case 3 -> {
        set.accept(CapacityRange.newBuilder().setRequiredBytes(Long.MAX_VALUE - text.random().nextInt(1000)).build());
        // Or ALREADY_EXISTS when the name is taken: that volume cannot be this size either.
        draft.change("capacity_range", "more than any filesystem holds", fails(OUT_OF_RANGE, RESOURCE_EXHAUSTED, ALREADY_EXISTS));
      }
      default -> {
        set.accept(CapacityRange.newBuilder().setRequiredBytes(1 + text.random().nextInt(1 << 20)).build());
        draft.change("capacity_range", "a few bytes", otherwise);
      }
    }
  }

  private void secrets(Draft draft, java.util.function.Consumer<Map<String, String>> put) {
    boolean big = text.chance(50);
    Map<String, String> secrets = big ? values.oversizeMap() : new HashMap<>(values.smallMap());
    put.accept(secrets);
    draft.change("secrets", big ? "over 4 KiB" : "random", big ? refused() : anything());
  }
}
