package dev.lustrecsi.sanity.fuzz;

import static dev.lustrecsi.sanity.fuzz.Expect.anything;
import static dev.lustrecsi.sanity.fuzz.Expect.fails;
import static dev.lustrecsi.sanity.fuzz.Expect.refused;
import static io.grpc.Status.Code.ALREADY_EXISTS;
import static io.grpc.Status.Code.FAILED_PRECONDITION;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static io.grpc.Status.Code.NOT_FOUND;

import csi.v1.NodeGetVolumeStatsRequest;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.NodeUnpublishVolumeRequest;
import csi.v1.NodeUnstageVolumeRequest;
import dev.lustrecsi.sanity.fuzz.HostileValues.PathKind;
import java.nio.file.Path;
import java.util.Map;

/** Fuzzed requests of the Node service: stage, unstage, publish, unpublish and stats, on the world's volumes and paths. */
final class NodeCases {
  private final FuzzWorld world;
  private final HostileText text;
  private final HostileValues values;
  private final Stubs stubs;

  NodeCases(FuzzWorld world, HostileText text, HostileValues values, Stubs stubs) {
    this.world = world;
    this.text = text;
    this.values = values;
    this.stubs = stubs;
  }

  FuzzCase stage(int changes) {
    boolean onWorld = text.chance(50);
    String id = onWorld ? text.oneOf(world.a.getVolumeId(), world.b.getVolumeId()) : text.oneOf(world.a.getVolumeId(), world.b.getVolumeId(), world.staticId);
    Path path = onWorld ? (id.equals(world.a.getVolumeId()) ? world.stagingA : world.stagingB) : world.freshPath();
    NodeStageVolumeRequest.Builder request = NodeStageVolumeRequest.newBuilder().setVolumeId(id).setStagingTargetPath(path.toString())
        .setVolumeCapability(FuzzWorld.capability()).putAllVolumeContext(world.contextOf(id));
    Draft draft = new Draft("stage " + id + " at " + (onWorld ? "its staging path" : "a fresh path"), anything());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(6)) {
        case 0 -> {
          HostileValues.Text value = values.id();
          request.setVolumeId(value.value()).clearVolumeContext().putAllVolumeContext(world.contextOf(value.value()));
          draft.replaced("volume_context");
          // Staging one volume where another is staged must fail; anywhere else it may well work.
          draft.change("volume_id", value.what(), () -> expectOfId(value, holdsOther(request.getStagingTargetPath(), request.getVolumeId())
              ? fails(ALREADY_EXISTS, NOT_FOUND, INVALID_ARGUMENT) : anything()));
        }
        case 1 -> {
          PathKind kind = values.pathKind();
          request.setStagingTargetPath(values.path(kind));
          draft.change("staging_target_path", kind.name(), refused());
        }
        case 2 -> capability(draft, request::setVolumeCapability, request::clearVolumeCapability);
        case 3 -> context(draft, request.getVolumeContextMap(), request::clearVolumeContext, request::putAllVolumeContext, id);
        case 4 -> secrets(draft, "secrets", request::clearSecrets, request::putAllSecrets);
        default -> secrets(draft, "publish_context", request::clearPublishContext, request::putAllPublishContext);
      }
    }
    NodeStageVolumeRequest built = request.build();
    return new FuzzCase("NodeStageVolume", draft.description(), draft.expect(), () -> stubs.node().nodeStageVolume(built),
        built.getVolumeId(), ok -> world.mounted(built.getVolumeId(), built.getStagingTargetPath(), false));
  }

  FuzzCase unstage(int changes) {
    boolean onWorld = text.chance(50);
    String id = text.oneOf(world.a.getVolumeId(), world.b.getVolumeId(), world.staticId);
    Path path = onWorld ? text.oneOf(world.stagingA, world.stagingB) : world.freshPath();
    NodeUnstageVolumeRequest.Builder request = NodeUnstageVolumeRequest.newBuilder().setVolumeId(id).setStagingTargetPath(path.toString());
    Draft draft = new Draft("unstage " + id + " from " + path.getFileName(), anything());
    for (int i = 0; i < changes; i++) {
      if (text.chance(50)) {
        HostileValues.Text value = values.id();
        request.setVolumeId(value.value());
        draft.change("volume_id", value.what(), expectOfId(value, anything()));
      } else {
        PathKind kind = values.pathKind();
        request.setStagingTargetPath(values.path(kind));
        // Nothing is mounted inside or above a volume: unstaging there is unstaging what is not staged, which is OK.
        draft.change("staging_target_path", kind.name(), kind == PathKind.INSIDE_VOLUME || kind == PathKind.ABOVE_VOLUMES ? anything() : refused());
      }
    }
    NodeUnstageVolumeRequest built = request.build();
    return new FuzzCase("NodeUnstageVolume", draft.description(), draft.expect(), () -> stubs.node().nodeUnstageVolume(built),
        built.getVolumeId(), null);
  }

  FuzzCase publish(int changes) {
    String id = text.oneOf(world.a.getVolumeId(), world.a.getVolumeId(), world.b.getVolumeId(), world.staticId);
    Path staging = id.equals(world.b.getVolumeId()) ? world.stagingB : world.stagingA;
    boolean onWorld = id.equals(world.a.getVolumeId()) && text.chance(40);
    Path target = onWorld ? world.targetA : world.freshPath();
    NodePublishVolumeRequest.Builder request = NodePublishVolumeRequest.newBuilder().setVolumeId(id).setStagingTargetPath(staging.toString())
        .setTargetPath(target.toString()).setVolumeCapability(FuzzWorld.capability()).putAllVolumeContext(world.contextOf(id));
    Draft draft = new Draft("publish " + id + " at " + (onWorld ? "its target" : "a fresh path"), anything());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(8)) {
        case 0 -> {
          HostileValues.Text value = values.id();
          request.setVolumeId(value.value()).clearVolumeContext().putAllVolumeContext(world.contextOf(value.value()));
          draft.replaced("volume_context");
          // An id whose volume is not the one the staging path holds must never be published from it.
          draft.change("volume_id", value.what(), () -> expectOfId(value, publishable(request)
              ? anything() : fails(FAILED_PRECONDITION, NOT_FOUND, INVALID_ARGUMENT)));
        }
        case 1 -> {
          Path other = text.oneOf(world.stagingA, world.targetA, world.stagingB, world.freshPath());
          request.setStagingTargetPath(other.toString());
          draft.change("staging_target_path", "another path", () -> publishable(request) ? anything() : fails(FAILED_PRECONDITION, INVALID_ARGUMENT));
        }
        case 2 -> {
          PathKind kind = values.pathKind();
          request.setStagingTargetPath(values.path(kind));
          draft.change("staging_target_path", kind.name(), fails(INVALID_ARGUMENT, FAILED_PRECONDITION));
        }
        case 3 -> {
          PathKind kind = values.pathKind();
          request.setTargetPath(values.path(kind));
          draft.change("target_path", kind.name(), refused());
        }
        case 4 -> {
          Path other = text.oneOf(world.stagingA, world.targetA, world.stagingB);
          request.setTargetPath(other.toString());
          draft.change("target_path", "another volume's path", () -> publishable(request) ? anything() : fails(ALREADY_EXISTS, INVALID_ARGUMENT));
        }
        case 5 -> capability(draft, request::setVolumeCapability, request::clearVolumeCapability);
        case 6 -> {
          request.setReadonly(!request.getReadonly());
          draft.change("readonly", "flipped", anything());
        }
        default -> secrets(draft, "secrets", request::clearSecrets, request::putAllSecrets);
      }
    }
    NodePublishVolumeRequest built = request.build();
    return new FuzzCase("NodePublishVolume", draft.description(), draft.expect(), () -> stubs.node().nodePublishVolume(built),
        built.getVolumeId(), ok -> world.mounted(built.getVolumeId(), built.getTargetPath(), true));
  }

  FuzzCase unpublish(int changes) {
    boolean onWorld = text.chance(40);
    String id = onWorld ? world.a.getVolumeId() : text.oneOf(world.knownIds());
    Path target = onWorld ? world.targetA : world.freshPath();
    NodeUnpublishVolumeRequest.Builder request = NodeUnpublishVolumeRequest.newBuilder().setVolumeId(id).setTargetPath(target.toString());
    Draft draft = new Draft("unpublish " + id + " from " + (onWorld ? "its target" : "a fresh path"), anything());
    for (int i = 0; i < changes; i++) {
      if (text.chance(50)) {
        HostileValues.Text value = values.id();
        request.setVolumeId(value.value());
        draft.change("volume_id", value.what(), expectOfId(value, anything()));
      } else {
        PathKind kind = values.pathKind();
        request.setTargetPath(values.path(kind));
        draft.change("target_path", kind.name(), refused());
      }
    }
    NodeUnpublishVolumeRequest built = request.build();
    return new FuzzCase("NodeUnpublishVolume", draft.description(), draft.expect(), () -> stubs.node().nodeUnpublishVolume(built),
        built.getVolumeId(), null);
  }

  FuzzCase stats(int changes) {
    Path path = text.oneOf(world.stagingA, world.targetA, world.stagingB);
    String id = path.equals(world.stagingB) ? world.b.getVolumeId() : world.a.getVolumeId();
    NodeGetVolumeStatsRequest.Builder request = NodeGetVolumeStatsRequest.newBuilder().setVolumeId(id).setVolumePath(path.toString());
    Draft draft = new Draft("stats of " + id + " at " + path.getFileName(), anything());
    for (int i = 0; i < changes; i++) {
      switch (text.random().nextInt(4)) {
        case 0 -> {
          HostileValues.Text value = values.id();
          request.setVolumeId(value.value());
          draft.change("volume_id", value.what(), () -> expectOfId(value, statsMayAnswer(request) ? anything() : fails(NOT_FOUND)));
        }
        case 1 -> {
          PathKind kind = values.pathKind();
          request.setVolumePath(values.path(kind));
          draft.change("volume_path", kind.name(), switch (kind) {
            case MISSING, OVER_LIMIT, CONTROL, LONG_COMPONENT -> refused();
            default -> fails(NOT_FOUND, INVALID_ARGUMENT);
          });
        }
        case 2 -> {
          Path other = text.oneOf(world.stagingA, world.targetA, world.stagingB, world.freshPath());
          request.setVolumePath(other.toString());
          draft.change("volume_path", "another path", () -> statsMayAnswer(request) ? anything() : fails(NOT_FOUND));
        }
        default -> {
          HostileValues.Text value = values.string(4095);
          request.setStagingTargetPath(value.value());
          // Optional, and not used: only its size is the driver's business.
          boolean over = value.value().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 4095;
          draft.change("staging_target_path", value.what(), over ? refused() : anything());
        }
      }
    }
    NodeGetVolumeStatsRequest built = request.build();
    return new FuzzCase("NodeGetVolumeStats", draft.description(), draft.expect(), () -> stubs.node().nodeGetVolumeStats(built),
        built.getVolumeId(), null);
  }

  /** Whether a world path holds a volume other than the one the id names. */
  private boolean holdsOther(String path, String volumeId) {
    String held = world.dataAt(path);
    return held != null && !held.equals(world.dataOf(volumeId));
  }

  /**
   * Whether a publish may work: its staging path holds the volume its id names, and its target,
   * another path, holds nothing or that same volume already.
   */
  private boolean publishable(NodePublishVolumeRequest.Builder request) {
    String staged = world.dataAt(request.getStagingTargetPath());
    String atTarget = world.dataAt(request.getTargetPath());
    return staged != null && staged.equals(world.dataOf(request.getVolumeId()))
        && !request.getTargetPath().equals(request.getStagingTargetPath())
        && (atTarget == null || atTarget.equals(staged));
  }

  /**
   * Whether stats may answer: the path holds the volume the id names. A static id without its
   * volume context names no directory, so any of the driver's volumes answers for it.
   */
  private boolean statsMayAnswer(NodeGetVolumeStatsRequest.Builder request) {
    String held = world.dataAt(request.getVolumePath());
    return request.getVolumeId().startsWith("static:") || held != null && held.equals(world.dataOf(request.getVolumeId()));
  }

  /** An id refused for its form (missing, too long, a control character) whatever else; otherwise {@code otherwise}. */
  static Expect expectOfId(HostileValues.Text value, Expect otherwise) {
    return switch (value.what()) {
      case "missing", "a control character" -> refused();
      default -> value.what().endsWith(" bytes") ? refused() : otherwise;
    };
  }

  private void capability(Draft draft, java.util.function.Consumer<csi.v1.VolumeCapability> set, Runnable clear) {
    if (text.chance(20)) {
      // Another capability the volume can have: the spec's answers to it depend on what is mounted already.
      String what = values.otherGoodCapabilityWhat().what();
      set.accept(values.otherGoodCapability(what));
      draft.change("volume_capability", what, anything());
      return;
    }
    if (text.chance(15)) {
      clear.run();
      draft.change("volume_capability", "missing", refused());
      return;
    }
    String what = values.badCapabilityWhat().what();
    set.accept(values.badCapability(what));
    draft.change("volume_capability", what, refused());
  }

  private void context(Draft draft, Map<String, String> current, Runnable clear, java.util.function.Consumer<Map<String, String>> put, String id) {
    switch (text.random().nextInt(4)) {
      case 0 -> {
        put.accept(values.oversizeMap());
        draft.change("volume_context", "over 4 KiB", refused());
      }
      case 1 -> {
        put.accept(Map.of("mgsNids", text.oneOf("10.1.0.10@tcp;reboot", "::", text.withControl("10.1.0.10@tcp"), "10.1.0.10@o2ib", "x")));
        draft.change("volume_context", "bad mgsNids", refused());
      }
      case 2 -> {
        put.accept(Map.of("lnet", text.oneOf("ib", "TCP", "", text.withControl("tcp"))));
        draft.change("volume_context", "bad lnet", refused());
      }
      default -> {
        put.accept(values.smallMap());
        draft.change("volume_context", "random entries", anything());
      }
    }
  }

  private void secrets(Draft draft, String field, Runnable clear, java.util.function.Consumer<Map<String, String>> put) {
    if (text.chance(50)) {
      put.accept(values.oversizeMap());
      draft.change(field, "over 4 KiB", refused());
    } else {
      put.accept(values.smallMap());
      draft.change(field, "random entries", anything());
    }
  }
}
