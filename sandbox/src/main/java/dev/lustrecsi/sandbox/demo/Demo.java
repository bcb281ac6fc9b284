package dev.lustrecsi.sandbox.demo;

import csi.v1.CapacityRange;
import csi.v1.ControllerExpandVolumeRequest;
import csi.v1.ControllerGrpc;
import csi.v1.CreateSnapshotRequest;
import csi.v1.CreateVolumeGroupSnapshotRequest;
import csi.v1.DeleteSnapshotRequest;
import csi.v1.DeleteVolumeGroupSnapshotRequest;
import csi.v1.GroupControllerGrpc;
import csi.v1.Snapshot;
import csi.v1.CreateVolumeRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.GetCapacityRequest;
import csi.v1.GetPluginInfoRequest;
import csi.v1.IdentityGrpc;
import csi.v1.ListVolumesRequest;
import csi.v1.NodeGetVolumeStatsRequest;
import csi.v1.NodeGetVolumeStatsResponse;
import csi.v1.NodeGrpc;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.NodeUnpublishVolumeRequest;
import csi.v1.NodeUnstageVolumeRequest;
import csi.v1.ProbeRequest;
import csi.v1.Volume;
import csi.v1.VolumeCapability;
import csi.v1.VolumeUsage;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.lustre.FilesystemState;
import dev.lustrecsi.sandbox.Sandbox;
import dev.lustrecsi.sandbox.co.CoRetry;
import dev.lustrecsi.sandbox.cluster.SimulatedCluster;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The guided tour: a sandbox, a StorageClass-like parameter set, volumes that make the
 * filesystem grow, a volume staged and published into a "pod" directory, a file written and read
 * through it, its stats and striping, a snapshot, the file changed, the snapshot restored into a new
 * volume and the live volume cloned (each read back through a pod's mount and compared), a group
 * snapshot, an expansion, and the clean-up. Every step goes through
 * the plugins' sockets, as kubelet and the provisioner would.
 */
public final class Demo {
  /** The StorageClass parameters the demo provisions from: small OSTs, so growth shows quickly. */
  static final Map<String, String> STORAGE_CLASS = Map.of(
      "fsName", "demo", "ostSize", "256Gi", "maxOsts", "16", "stripeCount", "2", "stripeSize", "1M");

  private final Path stateDir;
  private final PrintStream out;
  private final long demoStart = System.nanoTime();

  public Demo(Path stateDir, PrintStream out) {
    this.stateDir = stateDir;
    this.out = out;
  }

  /** Runs the tour; throws on the first step that fails. */
  public void run() throws Exception {
    out.println("Lustre CSI driver demo (sandbox in " + stateDir + ")");
    Sandbox sandbox = step("start the sandbox: controller and node plugins, an embedded Kubernetes API, simulated KubeVirt and Lustre servers",
        () -> Sandbox.start(stateDir));
    try (sandbox;
        UnixSockets.Client controllerSocket = UnixSockets.connect(sandbox.controllerEndpoint());
        UnixSockets.Client nodeSocket = UnixSockets.connect(sandbox.nodeEndpoint())) {
      var identity = IdentityGrpc.newBlockingStub(controllerSocket.channel());
      var controller = ControllerGrpc.newBlockingStub(controllerSocket.channel());
      var node = NodeGrpc.newBlockingStub(nodeSocket.channel());
      SimulatedCluster cluster = sandbox.cluster();
      detail("kubeconfig: " + cluster.kubeconfig() + "  (try: kubectl --kubeconfig " + cluster.kubeconfig()
          + " get --raw /apis/lustre.csi.lustrecsi.dev/v1alpha1/namespaces/lustre-csi/lustrefilesystems)");

      var info = step("ask the controller who it is", () -> identity.getPluginInfo(GetPluginInfoRequest.getDefaultInstance()));
      detail(info.getName() + " " + info.getVendorVersion() + ", ready: " + identity.probe(ProbeRequest.getDefaultInstance()).getReady().getValue());
      detail("StorageClass parameters: " + new java.util.TreeMap<>(STORAGE_CLASS));

      Volume results = step("create a 200 GiB volume (the filesystem \"demo\" is created with its first OST)",
          () -> create(controller, "folding-results", 200 * Sizes.GIB));
      showFilesystem(cluster);
      Volume scratch = step("create a 700 GiB volume: 900 GiB committed no longer fits one 256 GiB OST",
          () -> create(controller, "video-scratch", 700 * Sizes.GIB));
      showFilesystem(cluster);
      var list = step("list volumes", () -> controller.listVolumes(ListVolumesRequest.getDefaultInstance()));
      list.getEntriesList().forEach(e -> detail(e.getVolume().getVolumeId() + "  " + Sizes.format(e.getVolume().getCapacityBytes())
          + "  condition: " + e.getStatus().getVolumeCondition().getMessage()));
      var capacity = step("ask how much capacity is left on \"demo\"",
          () -> controller.getCapacity(GetCapacityRequest.newBuilder().putAllParameters(STORAGE_CLASS).build()));
      detail(Sizes.format(capacity.getAvailableCapacity()) + " available before the growth limit");

      Path pod = sandbox.kubeletDir().resolve("pods/demo-pod/volumes/folding-results");
      Path staging = sandbox.kubeletDir().resolve("plugins/staging/folding-results");
      step("stage the 200 GiB volume on the node (mounts filesystem \"demo\" once, binds the volume directory)",
          () -> node.nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(results.getVolumeId())
              .setStagingTargetPath(staging.toString()).setVolumeCapability(capability()).putAllVolumeContext(results.getVolumeContextMap()).build()));
      step("publish it into the pod's directory " + pod,
          () -> node.nodePublishVolume(NodePublishVolumeRequest.newBuilder().setVolumeId(results.getVolumeId())
              .setStagingTargetPath(staging.toString()).setTargetPath(pod.toString()).setVolumeCapability(capability())
              .putAllVolumeContext(results.getVolumeContextMap()).build()));
      Path file = pod.resolve("fold-0001.pdb");
      byte[] payload = "ATOM      1  N   MET A   1      27.340  24.430   2.614\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
      step("write " + Sizes.format(payload.length) + " into " + file.getFileName() + " through the pod's mount", () -> Files.write(file, payload));
      byte[] read = step("read it back", () -> Files.readAllBytes(file));
      detail(read.length == payload.length && java.util.Arrays.equals(read, payload) ? "read back " + Sizes.format(read.length) + ", identical" : "MISMATCH");
      if (!java.util.Arrays.equals(read, payload)) {
        throw new IllegalStateException("the file read back differs from what was written");
      }
      showStats(step("volume stats as the pod's df would see them", () -> stats(node, results, pod)));
      VolumeId resultsId = VolumeId.parse(results.getVolumeId()).orElseThrow();
      var simulated = cluster.servers().filesystem("demo").orElseThrow();
      var layout = simulated.layouts().get(resultsId.directory());
      var project = simulated.projects().get(resultsId.directory());
      detail("striping of " + resultsId.directory() + ": " + (layout == null ? "none" : "stripe count " + layout.stripeCount()
          + ", stripe size " + Sizes.format(layout.stripeSizeBytes())) + (project == null ? "" : ", project id " + project.id()));

      var snapshot = step("snapshot the 200 GiB volume: write barrier on the MGS, a ZFS snapshot of every target, thaw",
          () -> retryingWhileUnavailable(() -> controller.createSnapshot(CreateSnapshotRequest.newBuilder().setName("folding-results-monday")
              .setSourceVolumeId(results.getVolumeId()).build())).getSnapshot());
      detail("snapshot " + snapshot.getSnapshotId() + " of " + snapshot.getSourceVolumeId() + ", " + Sizes.format(snapshot.getSizeBytes())
          + ", ready: " + snapshot.getReadyToUse());
      showSnapshots(cluster);
      byte[] changed = "ATOM      1  N   MET A   1      99.999  99.999  99.999\n".repeat(10_000).getBytes(StandardCharsets.UTF_8);
      step("change " + file.getFileName() + " after the snapshot (" + Sizes.format(changed.length) + " now)", () -> Files.write(file, changed));

      var groups = GroupControllerGrpc.newBlockingStub(controllerSocket.channel());
      var group = step("snapshot both volumes as one group: one Lustre snapshot, consistent across them",
          () -> retryingWhileUnavailable(() -> groups.createVolumeGroupSnapshot(CreateVolumeGroupSnapshotRequest.newBuilder()
              .setName("demo-nightly").addSourceVolumeIds(results.getVolumeId()).addSourceVolumeIds(scratch.getVolumeId()).build()))
              .getGroupSnapshot());
      detail("group " + group.getGroupSnapshotId() + ": " + group.getSnapshotsCount() + " snapshots, ready: " + group.getReadyToUse());
      showSnapshots(cluster);
      Volume restored = step("restore the snapshot into a new volume: its pieces mounted read-only, the volume's directory copied on the MDS",
          () -> createFrom(controller, "folding-results-restored", 200 * Sizes.GIB, csi.v1.VolumeContentSource.newBuilder()
              .setSnapshot(csi.v1.VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snapshot.getSnapshotId())).build()));
      detail("volume " + restored.getVolumeId() + " restored from " + restored.getContentSource().getSnapshot().getSnapshotId());
      compare(node, sandbox, restored, file.getFileName().toString(), payload, "the content at the snapshot");
      Volume clone = step("clone the live volume: a Lustre snapshot taken for the purpose, copied from, then destroyed",
          () -> createFrom(controller, "folding-results-clone", 200 * Sizes.GIB, csi.v1.VolumeContentSource.newBuilder()
              .setVolume(csi.v1.VolumeContentSource.VolumeSource.newBuilder().setVolumeId(results.getVolumeId())).build()));
      detail("volume " + clone.getVolumeId() + " cloned from " + clone.getContentSource().getVolume().getVolumeId());
      compare(node, sandbox, clone, file.getFileName().toString(), changed, "the content when it was cloned");
      showSnapshots(cluster);
      showFilesystem(cluster);

      var expanded = step("expand the volume to 600 GiB (the filesystem grows again)",
          () -> retryingWhileUnavailable(() -> controller.controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
              .setVolumeId(results.getVolumeId()).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(600 * Sizes.GIB)).build())));
      detail("new capacity " + Sizes.format(expanded.getCapacityBytes()) + ", node expansion required: " + expanded.getNodeExpansionRequired());
      showFilesystem(cluster);
      showStats(step("volume stats after expansion (no remount needed)", () -> stats(node, results, pod)));

      step("unpublish from the pod", () -> node.nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder()
          .setVolumeId(results.getVolumeId()).setTargetPath(pod.toString()).build()));
      step("unstage (the filesystem mount goes too: no other volume uses it)", () -> node.nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder()
          .setVolumeId(results.getVolumeId()).setStagingTargetPath(staging.toString()).build()));
      step("delete the snapshot and the group snapshot (their Lustre snapshots go with them)", () -> {
        retryingWhileUnavailable(() -> controller.deleteSnapshot(DeleteSnapshotRequest.newBuilder().setSnapshotId(snapshot.getSnapshotId()).build()));
        return retryingWhileUnavailable(() -> groups.deleteVolumeGroupSnapshot(DeleteVolumeGroupSnapshotRequest.newBuilder()
            .setGroupSnapshotId(group.getGroupSnapshotId())
            .addAllSnapshotIds(group.getSnapshotsList().stream().map(Snapshot::getSnapshotId).toList()).build()));
      });
      showSnapshots(cluster);
      for (Volume volume : List.of(results, scratch, restored, clone)) {
        step("delete volume " + volume.getVolumeId(), () -> controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).build()));
      }
      showFilesystem(cluster);
    }
    step("stop the sandbox", () -> null);
    out.printf("demo finished in %d ms%n", (System.nanoTime() - demoStart) / 1_000_000);
  }

  /** CreateVolume with a content source, retried while the copy runs as the provisioner retries it. */
  private Volume createFrom(ControllerGrpc.ControllerBlockingStub controller, String name, long bytes, csi.v1.VolumeContentSource source) {
    CreateVolumeRequest request = CreateVolumeRequest.newBuilder().setName(name)
        .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(bytes))
        .addVolumeCapabilities(capability()).putAllParameters(STORAGE_CLASS).setVolumeContentSource(source).build();
    String[] progress = {""};
    int[] retries = {0};
    Volume made = CoRetry.DEFAULT.call(() -> {
      try {
        return controller.createVolume(request);
      } catch (io.grpc.StatusRuntimeException e) {
        progress[0] = e.getStatus().getDescription();
        throw e;
      }
    }, code -> retries[0]++).getVolume();
    if (retries[0] > 0) {
      detail("(answered UNAVAILABLE " + retries[0] + " times while the filesystem grew or the copy ran, last: " + progress[0]
          + "; retried as the provisioner does)");
    }
    return made;
  }

  /**
   * Publishes the volume into a pod directory of its own, reads the file, and compares it with
   * what it should hold; unpublishes again. Throws when the content differs.
   */
  private void compare(NodeGrpc.NodeBlockingStub node, Sandbox sandbox, Volume volume, String fileName, byte[] expected, String what)
      throws Exception {
    String name = VolumeId.parse(volume.getVolumeId()).orElseThrow().directory();
    Path staging = sandbox.kubeletDir().resolve("plugins/staging/" + name);
    Path pod = sandbox.kubeletDir().resolve("pods/demo-reader/volumes/" + name);
    node.nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).setStagingTargetPath(staging.toString())
        .setVolumeCapability(capability()).putAllVolumeContext(volume.getVolumeContextMap()).build());
    node.nodePublishVolume(NodePublishVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).setStagingTargetPath(staging.toString())
        .setTargetPath(pod.toString()).setVolumeCapability(capability()).putAllVolumeContext(volume.getVolumeContextMap()).build());
    try {
      byte[] read = step("read " + fileName + " through a pod's mount of " + name, () -> Files.readAllBytes(pod.resolve(fileName)));
      boolean same = java.util.Arrays.equals(read, expected);
      detail(same ? Sizes.format(read.length) + ", identical to " + what : "MISMATCH: " + Sizes.format(read.length) + ", not " + what);
      if (!same) {
        throw new IllegalStateException(name + " does not hold " + what);
      }
    } finally {
      node.nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).setTargetPath(pod.toString()).build());
      node.nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).setStagingTargetPath(staging.toString()).build());
    }
  }

  private Volume create(ControllerGrpc.ControllerBlockingStub controller, String name, long bytes) {
    CreateVolumeRequest request = CreateVolumeRequest.newBuilder().setName(name)
        .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(bytes))
        .addVolumeCapabilities(capability()).putAllParameters(STORAGE_CLASS).build();
    return retryingWhileUnavailable(() -> controller.createVolume(request)).getVolume();
  }

  /**
   * What the external-provisioner does: while servers or OSTs are coming up the controller answers
   * UNAVAILABLE, and the same call is made again, after a growing delay, until it succeeds.
   */
  private <T> T retryingWhileUnavailable(java.util.function.Supplier<T> call) {
    int[] retries = {0};
    T result = CoRetry.DEFAULT.call(call, code -> retries[0]++);
    if (retries[0] > 0) {
      detail("(answered UNAVAILABLE " + retries[0] + " times while server VMs and OSTs came up; retried as the provisioner does)");
    }
    return result;
  }

  private static NodeGetVolumeStatsResponse stats(NodeGrpc.NodeBlockingStub node, Volume volume, Path path) {
    return node.nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId(volume.getVolumeId()).setVolumePath(path.toString()).build());
  }

  private void showStats(NodeGetVolumeStatsResponse stats) {
    for (VolumeUsage usage : stats.getUsageList()) {
      boolean bytes = usage.getUnit() == VolumeUsage.Unit.BYTES;
      detail((bytes ? "bytes:  " : "inodes: ") + "total " + (bytes ? Sizes.format(usage.getTotal()) : usage.getTotal())
          + ", used " + (bytes ? Sizes.format(usage.getUsed()) : usage.getUsed())
          + ", available " + (bytes ? Sizes.format(usage.getAvailable()) : usage.getAvailable()));
    }
    detail("condition: " + (stats.getVolumeCondition().getAbnormal() ? "ABNORMAL " : "") + stats.getVolumeCondition().getMessage());
  }

  /** What the servers hold: each Lustre snapshot's name and on how many targets, and the barrier. */
  private void showSnapshots(SimulatedCluster cluster) {
    java.util.Map<String, Long> pieces = new java.util.TreeMap<>(cluster.servers().allSnapshots().stream()
        .collect(java.util.stream.Collectors.groupingBy(s -> s.substring(s.indexOf('@') + 1), java.util.stream.Collectors.counting())));
    detail("Lustre snapshots (ZFS snapshots per target): " + (pieces.isEmpty() ? "none" : pieces) + " of "
        + cluster.servers().targets("demo").size() + " targets; write barrier holds: " + cluster.servers().frozen("demo"));
  }

  private void showFilesystem(SimulatedCluster cluster) {
    FilesystemState fs = cluster.controller().backend().describe("demo").orElseThrow();
    StringBuilder osts = new StringBuilder();
    for (FilesystemState.Ost ost : fs.osts()) {
      osts.append(String.format(" demo-OST%04x(%s)", ost.index(), Sizes.format(ost.capacityBytes())));
    }
    detail("filesystem demo: " + fs.osts().size() + " OSTs, " + Sizes.format(fs.capacityBytes()) + " usable:" + osts);
    var vms = cluster.client().genericKubernetesResources(dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator.VMS).list().getItems();
    detail("server VMs: " + String.join(", ", vms.stream().map(vm -> vm.getMetadata().getName()).sorted().toList()));
  }

  private <T> T step(String what, Callable<T> action) throws Exception {
    long start = System.nanoTime();
    T result = action.call();
    out.printf("[%7.1f ms] %s%n", (System.nanoTime() - start) / 1e6, what);
    return result;
  }

  private void detail(String text) {
    out.println("             " + text);
  }

  private static VolumeCapability capability() {
    return VolumeCapability.newBuilder().setMount(VolumeCapability.MountVolume.getDefaultInstance())
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER)).build();
  }
}
