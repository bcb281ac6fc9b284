package dev.lustrecsi.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.ControllerGrpc;
import csi.v1.CreateVolumeRequest;
import csi.v1.CreateVolumeResponse;
import csi.v1.IdentityGrpc;
import csi.v1.ProbeRequest;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.common.identity.IdentityService;
import dev.lustrecsi.common.identity.PluginInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsiCallMetricsTest {
  @TempDir Path dir;

  static final class RefusingController extends ControllerGrpc.ControllerImplBase {
    @Override
    public void createVolume(CreateVolumeRequest request, StreamObserver<CreateVolumeResponse> response) {
      throw CsiException.invalidArgument("parameters.fsName", "is required");
    }
  }

  @Test
  void aScrapeCountsAndTimesEveryCallByMethodAndTheCodeTheCallerGot() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    Endpoint endpoint = Endpoint.of(dir.resolve("csi.sock"));
    try (CsiServer server = CsiServer.start(endpoint, List.of(new IdentityService(PluginInfo.current(), () -> true),
            new RefusingController()), new CsiCallMetrics(registry));
        MetricsServer metrics = MetricsServer.start(MetricsAddress.parse("127.0.0.1:0").orElseThrow(), registry);
        UnixSockets.Client client = UnixSockets.connect(endpoint)) {
      IdentityGrpc.newBlockingStub(client.channel()).probe(ProbeRequest.getDefaultInstance());
      IdentityGrpc.newBlockingStub(client.channel()).probe(ProbeRequest.getDefaultInstance());
      assertThatThrownBy(() -> ControllerGrpc.newBlockingStub(client.channel()).createVolume(CreateVolumeRequest.newBuilder().setName("v").build()))
          .isInstanceOf(StatusRuntimeException.class);

      Scrape scrape = Scrape.of(metrics.uri());

      String count = CsiCallMetrics.CALL_DURATION + "_count";
      assertThat(scrape.value(count, Map.of("method", "Probe", "code", "OK"))).contains(2.0);
      assertThat(scrape.value(count, Map.of("method", "CreateVolume", "code", "INVALID_ARGUMENT"))).contains(1.0);
      assertThat(scrape.value(count, Map.of("method", "CreateVolume", "code", "OK"))).isEmpty();
      // Every call falls in the last bucket; the buckets reach the provisioner's timeout.
      assertThat(scrape.value(CsiCallMetrics.CALL_DURATION + "_bucket", Map.of("method", "Probe", "code", "OK", "le", "+Inf")))
          .contains(2.0);
      assertThat(scrape.find(CsiCallMetrics.CALL_DURATION + "_bucket", Map.of("method", "Probe")))
          .extracting(s -> s.labels().get("le")).contains("0.001", "300.0");
      assertThat(scrape.value(CsiCallMetrics.CALL_DURATION + "_sum", Map.of("method", "Probe", "code", "OK")).orElseThrow())
          .isPositive().isLessThan(10.0);
    }
  }

  @Test
  void anEmptyAddressTurnsMetricsOffAndABadOneIsRefusedNamingIt() {
    assertThat(MetricsAddress.parse("")).isEmpty();
    assertThat(MetricsAddress.parse(":9811")).contains(new MetricsAddress("", 9811));
    assertThat(MetricsAddress.parse("[::1]:9811")).contains(new MetricsAddress("::1", 9811));
    assertThatThrownBy(() -> MetricsAddress.parse("9811")).hasMessageContaining("\"9811\" is not :PORT or HOST:PORT");
    assertThatThrownBy(() -> MetricsAddress.parse(":70000")).hasMessageContaining("port 70000");
  }

  @Test
  void theScrapeReaderReadsEscapedLabelValues() {
    Scrape scrape = Scrape.parse("# HELP x y\nx_total{a=\"q\\\"uote\",b=\"back\\\\slash\"} 3.0\nup 1\n");
    assertThat(scrape.value("x_total", Map.of("a", "q\"uote", "b", "back\\slash"))).contains(3.0);
    assertThat(scrape.value("up", Map.of())).contains(1.0);
  }
}
