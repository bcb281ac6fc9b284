package dev.lustrecsi.common.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Times every CSI call, by method and status code, into one histogram: its {@code _count} is the
 * call rate, its buckets the latency. Installed beside the call log on both plugins' sockets, it
 * sees the status the error mapper produced.
 */
public final class CsiCallMetrics implements ServerInterceptor {
  public static final String CALL_DURATION = "lustre_csi_call_duration_seconds";

  /**
   * From a Probe (milliseconds) to a CreateVolume that waits for server VMs to boot (minutes):
   * the provisioner gives up at its timeout, 300 s by default.
   */
  private static final double[] BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

  private final Histogram duration;

  public CsiCallMetrics(PrometheusRegistry registry) {
    duration = Histogram.builder()
        .name(CALL_DURATION)
        .help("CSI calls served, by method and gRPC status code, and how long each took")
        .labelNames("method", "code")
        .classicUpperBounds(BUCKETS)
        .classicOnly()
        .withoutExemplars()
        .register(registry);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    long started = System.nanoTime();
    String method = call.getMethodDescriptor().getBareMethodName();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        duration.labelValues(method, status.getCode().name()).observe((System.nanoTime() - started) / 1e9);
        super.close(status, trailers);
      }
    }, headers);
  }
}
