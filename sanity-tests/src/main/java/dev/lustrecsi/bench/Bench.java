package dev.lustrecsi.bench;

import csi.v1.ControllerGrpc;
import csi.v1.CapacityRange;
import csi.v1.CreateVolumeRequest;
import csi.v1.DeleteVolumeRequest;
import csi.v1.NodeGrpc;
import csi.v1.NodePublishVolumeRequest;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.NodeUnpublishVolumeRequest;
import csi.v1.NodeUnstageVolumeRequest;
import csi.v1.Volume;
import csi.v1.VolumeCapability;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.sandbox.co.CoRetry;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Drives any CSI driver with a fixed number of operations from N concurrent clients and reports
 * latency percentiles per RPC. It uses only what CreateVolume returns (volume id and context), so
 * it measures other drivers as well as this one. UNAVAILABLE and ABORTED answers are retried as a
 * CO's sidecars retry them ({@link CoRetry}) and counted; every other error is counted and the
 * operation given up.
 */
public final class Bench {
  private final BenchOptions options;
  /** Where calls are recorded: a throwaway one during the warm-up, then the reported one. */
  private volatile LatencyRecorder recorder = new LatencyRecorder();
  private final String runId = UUID.randomUUID().toString().substring(0, 8);

  public Bench(BenchOptions options) {
    this.options = options;
  }

  /** Runs the workload and returns the JSON report. */
  public String run() throws Exception {
    try (UnixSockets.Client controller = UnixSockets.connect(options.controller(), 2);
        UnixSockets.Client node = options.node().map(e -> UnixSockets.connect(e, 2)).orElse(null)) {
      ControllerGrpc.ControllerBlockingStub controllerStub = ControllerGrpc.newBlockingStub(controller.channel());
      long started;
      long finished;
      LatencyRecorder reported = new LatencyRecorder();
      if (options.workload() == BenchOptions.Workload.CREATE_DELETE) {
        runConcurrently(options.warmup(), (client, i) -> createDelete(controllerStub, options.count() + i));
        settleAfterWarmup();
        recorder = reported;
        started = System.nanoTime();
        runConcurrently(options.count(), (client, i) -> createDelete(controllerStub, i));
        finished = System.nanoTime();
      } else {
        NodeGrpc.NodeBlockingStub nodeStub = NodeGrpc.newBlockingStub(node.channel());
        List<Volume> volumes = new ArrayList<>();
        for (int i = 0; i < options.concurrency(); i++) {
          volumes.add(create(controllerStub, "bench-" + runId + "-sp-" + i));
        }
        runConcurrently(options.warmup(), (client, i) -> stagePublish(nodeStub, volumes.get(client), options.count() + i));
        settleAfterWarmup();
        recorder = reported;
        started = System.nanoTime();
        // Each client owns one volume: a node stages a volume once, so clients must not share them.
        runConcurrently(options.count(), (client, i) -> stagePublish(nodeStub, volumes.get(client), i));
        finished = System.nanoTime();
        for (Volume volume : volumes) {
          call("DeleteVolume", () -> controllerStub.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).build()));
        }
      }
      double seconds = (finished - started) / 1e9;
      return Report.json(options, seconds, reported);
    }
  }

  /**
   * Collects the load generator's own garbage before the measured run: its first collection
   * copies everything start-up and warm-up left (45 ms measured), and a pause of the client
   * shows as latency of the driver it measures.
   */
  private static void settleAfterWarmup() {
    System.gc();
  }

  private void runConcurrently(int count, IndexedTask task) throws Exception {
    AtomicInteger nextIndex = new AtomicInteger();
    try (ExecutorService clients = Executors.newFixedThreadPool(options.concurrency(), Thread.ofVirtual().factory())) {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < options.concurrency(); c++) {
        int client = c;
        running.add(clients.submit(() -> {
          for (int i = nextIndex.getAndIncrement(); i < count; i = nextIndex.getAndIncrement()) {
            task.run(client, i);
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get(1, TimeUnit.HOURS);
      }
    }
  }

  private void createDelete(ControllerGrpc.ControllerBlockingStub stub, int index) {
    Volume volume = create(stub, "bench-" + runId + "-" + index);
    if (volume != null) {
      call("DeleteVolume", () -> stub.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId()).build()));
    }
  }

  private Volume create(ControllerGrpc.ControllerBlockingStub stub, String name) {
    CreateVolumeRequest request = CreateVolumeRequest.newBuilder()
        .setName(name)
        .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(options.capacityBytes()))
        .addVolumeCapabilities(capability())
        .putAllParameters(options.parameters())
        .build();
    var response = call("CreateVolume", () -> stub.createVolume(request));
    return response == null ? null : response.getVolume();
  }

  private void stagePublish(NodeGrpc.NodeBlockingStub stub, Volume volume, int index) {
    if (volume == null) {
      return;
    }
    Path root = options.mountRoot().orElseThrow().resolve("bench-" + runId).resolve(String.valueOf(index));
    String staging = root.resolve("staging").toString();
    String target = root.resolve("target").toString();
    Map<String, String> context = volume.getVolumeContextMap();
    boolean staged = call("NodeStageVolume", () -> stub.nodeStageVolume(NodeStageVolumeRequest.newBuilder()
        .setVolumeId(volume.getVolumeId()).setStagingTargetPath(staging).setVolumeCapability(capability()).putAllVolumeContext(context).build())) != null;
    if (!staged) {
      return;
    }
    call("NodePublishVolume", () -> stub.nodePublishVolume(NodePublishVolumeRequest.newBuilder()
        .setVolumeId(volume.getVolumeId()).setStagingTargetPath(staging).setTargetPath(target).setVolumeCapability(capability()).putAllVolumeContext(context).build()));
    call("NodeUnpublishVolume", () -> stub.nodeUnpublishVolume(NodeUnpublishVolumeRequest.newBuilder()
        .setVolumeId(volume.getVolumeId()).setTargetPath(target).build()));
    call("NodeUnstageVolume", () -> stub.nodeUnstageVolume(NodeUnstageVolumeRequest.newBuilder()
        .setVolumeId(volume.getVolumeId()).setStagingTargetPath(staging).build()));
  }

  /**
   * One RPC, as a CO's sidecar makes it: retried with a growing delay while the driver answers
   * UNAVAILABLE or ABORTED. Each attempt is timed as a call of its own; each retryable answer is
   * counted as an error of its code, and so is the final one of a call that gave up.
   */
  private <T> T call(String rpc, Supplier<T> invocation) {
    try {
      return CoRetry.DEFAULT.call(() -> timed(rpc, invocation), code -> recorder.error(code.name()));
    } catch (StatusRuntimeException e) {
      recorder.error(e.getStatus().getCode().name());
      return null;
    }
  }

  private <T> T timed(String rpc, Supplier<T> invocation) {
    long start = System.nanoTime();
    try {
      return invocation.get();
    } finally {
      recorder.record(rpc, System.nanoTime() - start);
    }
  }

  private static VolumeCapability capability() {
    return VolumeCapability.newBuilder()
        .setMount(VolumeCapability.MountVolume.getDefaultInstance())
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER))
        .build();
  }

  @FunctionalInterface
  private interface IndexedTask {
    void run(int client, int index);
  }

  /** The one-line JSON report; field names are read by scripts and must not change. */
  static final class Report {
    private Report() {}

    static String json(BenchOptions options, double seconds, LatencyRecorder recorder) {
      long operations = options.count();
      StringBuilder out = new StringBuilder(512);
      out.append("{\"workload\":\"").append(options.workload().label()).append('"')
          .append(",\"concurrency\":").append(options.concurrency())
          .append(",\"count\":").append(operations)
          .append(",\"warmup\":").append(options.warmup())
          .append(",\"durationSeconds\":").append(number(seconds))
          .append(",\"opsPerSecond\":").append(number(seconds > 0 ? operations / seconds : 0))
          .append(",\"rpcs\":{");
      boolean first = true;
      for (var entry : recorder.percentiles().entrySet()) {
        LatencyRecorder.Percentiles p = entry.getValue();
        out.append(first ? "" : ",").append('"').append(entry.getKey()).append("\":{")
            .append("\"count\":").append(p.count())
            .append(",\"p50Ms\":").append(number(p.p50Ms()))
            .append(",\"p90Ms\":").append(number(p.p90Ms()))
            .append(",\"p99Ms\":").append(number(p.p99Ms()))
            .append(",\"maxMs\":").append(number(p.maxMs())).append('}');
        first = false;
      }
      out.append("},\"errors\":{");
      first = true;
      for (var entry : recorder.errors().entrySet()) {
        out.append(first ? "" : ",").append('"').append(entry.getKey()).append("\":").append(entry.getValue());
        first = false;
      }
      return out.append("}}").toString();
    }

    private static String number(double value) {
      return String.format(Locale.ROOT, "%.3f", value);
    }
  }
}
