package dev.lustrecsi.sanity.fuzz;

import static dev.lustrecsi.sanity.fuzz.Expect.anything;
import static dev.lustrecsi.sanity.fuzz.Expect.fails;
import static dev.lustrecsi.sanity.fuzz.Expect.refused;
import static io.grpc.Status.Code.FAILED_PRECONDITION;
import static io.grpc.Status.Code.NOT_FOUND;

import csi.v1.CapacityRange;
import csi.v1.ControllerExpandVolumeRequest;
import csi.v1.ControllerGetVolumeRequest;
import csi.v1.CreateVolumeRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.NodeGetVolumeStatsRequest;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.NodeUnpublishVolumeRequest;
import csi.v1.NodeUnstageVolumeRequest;
import csi.v1.ValidateVolumeCapabilitiesRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The requests every run starts with: what the fuzzing run of issue 16 found, each as it was sent. */
final class HandPicked {
  private HandPicked() {}

  static List<FuzzCase> cases(FuzzWorld world, Stubs stubs) {
    List<FuzzCase> cases = new ArrayList<>();
    String a = world.a.getVolumeId();
    String b = world.b.getVolumeId();
    String fs = a.substring(0, a.indexOf('/'));
    for (String path : List.of(world.target.mountRoot() + "/\0", "\0", "a\0b")) {
      NodeGetVolumeStatsRequest request = NodeGetVolumeStatsRequest.newBuilder().setVolumeId(a).setVolumePath(path).build();
      cases.add(new FuzzCase("NodeGetVolumeStats", "NUL in volume_path", refused(), () -> stubs.node().nodeGetVolumeStats(request), a, null));
    }
    for (String other : List.of(fs + "/does-not-exist", b)) {
      NodePublishVolumeRequest publish = NodePublishVolumeRequest.newBuilder().setVolumeId(other)
          .setStagingTargetPath(world.stagingA.toString()).setTargetPath(world.freshPath().toString())
          .setVolumeCapability(FuzzWorld.capability()).build();
      cases.add(new FuzzCase("NodePublishVolume", other + " from A's staging path", fails(FAILED_PRECONDITION, NOT_FOUND),
          () -> stubs.node().nodePublishVolume(publish), other, null));
    }
    NodeUnstageVolumeRequest unstage = NodeUnstageVolumeRequest.newBuilder().setVolumeId(b).setStagingTargetPath(world.stagingA.toString()).build();
    cases.add(new FuzzCase("NodeUnstageVolume", "B at A's staging path", anything(), () -> stubs.node().nodeUnstageVolume(unstage), b, null));
    NodeUnpublishVolumeRequest unpublish = NodeUnpublishVolumeRequest.newBuilder().setVolumeId(b).setTargetPath(world.targetA.toString()).build();
    cases.add(new FuzzCase("NodeUnpublishVolume", "B at A's target", anything(), () -> stubs.node().nodeUnpublishVolume(unpublish), b, null));
    NodeGetVolumeStatsRequest stats = NodeGetVolumeStatsRequest.newBuilder().setVolumeId(b).setVolumePath(world.stagingA.toString()).build();
    cases.add(new FuzzCase("NodeGetVolumeStats", "B at A's staging path", fails(NOT_FOUND), () -> stubs.node().nodeGetVolumeStats(stats), b, null));

    String huge = "v".repeat(64 * 1024);
    cases.add(refusal("DeleteVolume", () -> stubs.controller().deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(huge).build())));
    cases.add(refusal("ValidateVolumeCapabilities", () -> stubs.controller().validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest
        .newBuilder().setVolumeId(huge).addVolumeCapabilities(FuzzWorld.capability()).build())));
    cases.add(refusal("ControllerExpandVolume", () -> stubs.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
        .setVolumeId(huge).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(1L << 30)).build())));
    cases.add(refusal("ControllerGetVolume", () -> stubs.controller().controllerGetVolume(ControllerGetVolumeRequest.newBuilder()
        .setVolumeId(huge).build())));
    cases.add(refusal("NodeStageVolume", () -> stubs.node().nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(huge)
        .setStagingTargetPath(world.freshPath().toString()).setVolumeCapability(FuzzWorld.capability()).build())));
    cases.add(refusal("NodeUnstageVolume", () -> stubs.node().nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder().setVolumeId(huge)
        .setStagingTargetPath(world.stagingA.toString()).build())));
    cases.add(refusal("NodePublishVolume", () -> stubs.node().nodePublishVolume(NodePublishVolumeRequest.newBuilder().setVolumeId(huge)
        .setStagingTargetPath(world.stagingA.toString()).setTargetPath(world.freshPath().toString()).setVolumeCapability(FuzzWorld.capability())
        .build())));
    cases.add(refusal("NodeUnpublishVolume", () -> stubs.node().nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId(huge)
        .setTargetPath(world.targetA.toString()).build())));
    cases.add(refusal("NodeGetVolumeStats", () -> stubs.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId(huge)
        .setVolumePath(world.stagingA.toString()).build())));

    for (String name : List.of("pvc\n2024-01-01T00:00:00Z INFO forged line", "\u001b[31mred\u001b[0m", "nul\0name", huge)) {
      cases.add(create(world, stubs, name, Map.of(), Map.of()));
    }
    int bad = 0;
    for (Map.Entry<String, String> parameter : HostileValues.BAD_PARAMETERS) {
      // A name of its own each: a value wrongly taken would otherwise hide the next behind ALREADY_EXISTS.
      cases.add(create(world, stubs, "fuzz-" + world.target.runId() + "-bad" + ++bad, Map.of(parameter.getKey(), parameter.getValue()), Map.of()));
    }
    cases.add(create(world, stubs, "fuzz-" + world.target.runId() + "-mutable", Map.of(), Map.of("stripeCount", "2")));
    return cases;
  }

  private static FuzzCase refusal(String rpc, java.util.function.Supplier<? extends com.google.protobuf.Message> call) {
    return new FuzzCase(rpc, "a volume_id of 64 KiB", refused(), call, null, null);
  }

  private static FuzzCase create(FuzzWorld world, Stubs stubs, String name, Map<String, String> parameters, Map<String, String> mutable) {
    CreateVolumeRequest request = CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(FuzzWorld.capability())
        .putAllParameters(world.target.parameters()).putAllParameters(parameters).putAllMutableParams(mutable)
        .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(1L << 30)).build();
    String what = !mutable.isEmpty() ? "mutable_parameters" : !parameters.isEmpty() ? "parameters " + parameters.keySet() : "a hostile name";
    return new FuzzCase("CreateVolume", what, refused(), () -> stubs.controller().createVolume(request), null,
        ok -> world.volumeCreated(((csi.v1.CreateVolumeResponse) ok).getVolume().getVolumeId()));
  }
}
