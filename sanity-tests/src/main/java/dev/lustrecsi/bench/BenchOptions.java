package dev.lustrecsi.bench;

import dev.lustrecsi.common.grpc.Endpoint;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A benchmark run.
 *
 * @param controller the controller plugin's endpoint
 * @param node the node plugin's endpoint, needed by stage-publish
 * @param workload what to drive
 * @param concurrency clients calling at once
 * @param count operations in all (volumes created and deleted, or stage-publish cycles)
 * @param warmup operations run first, the same way, and left out of the report: the bench's own JVM
 *     is cold at first, and its start-up is not the driver's latency
 * @param parameters CreateVolume parameters
 * @param capacityBytes size of each volume
 * @param mountRoot directory for staging and target paths (stage-publish)
 */
public record BenchOptions(
    Endpoint controller, Optional<Endpoint> node, Workload workload, int concurrency, int count, int warmup,
    Map<String, String> parameters, long capacityBytes, Optional<Path> mountRoot) {

  /** What the benchmark does. */
  public enum Workload {
    /** CreateVolume then DeleteVolume, count times. */
    CREATE_DELETE("create-delete"),
    /** NodeStage, NodePublish, NodeUnpublish, NodeUnstage of pre-created volumes, count cycles. */
    STAGE_PUBLISH("stage-publish");

    private final String label;

    Workload(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    public static Workload parse(String text) {
      for (Workload w : values()) {
        if (w.label.equals(text)) {
          return w;
        }
      }
      throw new IllegalArgumentException("unknown workload " + text + "; use create-delete or stage-publish");
    }
  }

  public BenchOptions {
    if (concurrency < 1 || count < 1) {
      throw new IllegalArgumentException("--concurrency and --count must be at least 1");
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup must be 0 or more");
    }
    parameters = Map.copyOf(parameters);
    if (workload == Workload.STAGE_PUBLISH && (node.isEmpty() || mountRoot.isEmpty())) {
      throw new IllegalArgumentException("stage-publish needs --node-endpoint and --mount-root");
    }
  }
}
