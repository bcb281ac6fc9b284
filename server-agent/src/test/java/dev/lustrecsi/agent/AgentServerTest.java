package dev.lustrecsi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.agent.v1.GetHealthRequest;
import dev.lustrecsi.agent.v1.LustreAgentGrpc;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.tls.CertificateAuthority;
import dev.lustrecsi.common.tls.GrpcTls;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AgentServerTest {
  private static final CertificateAuthority CA = CertificateAuthority.create("test CA", Clock.systemUTC());

  @Test
  void servesOverMutualTlsOnAnEphemeralPortAndStops() throws Exception {
    AgentService service = new AgentService(c -> new CommandResult(c, 0, switch (c.argv().getLast()) {
      case "health_check" -> "healthy\n";
      case "--version" -> "lfs 2.16.1\n";
      default -> "";
    }, ""), Optional.empty());
    AgentServer server = AgentServer.start(ListenAddress.parse("127.0.0.1:0"), CA.issueServer("agent", List.of(), List.of("127.0.0.1")), service);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).sslContext(GrpcTls.client(CA.issueClient("controller"))).build();
    try {
      assertThat(server.port()).isPositive();
      var stub = LustreAgentGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      assertThat(stub.getHealth(GetHealthRequest.getDefaultInstance()).getHealthCheck()).isEqualTo("healthy");
      server.close();
      assertThatThrownBy(() -> LustreAgentGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).getHealth(GetHealthRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      channel.shutdownNow();
      server.close();
    }
  }

  @Test
  void listenAddresses() {
    assertThat(ListenAddress.parse(ListenAddress.DEFAULT)).isEqualTo(new ListenAddress("0.0.0.0", 9443));
    assertThat(ListenAddress.parse("[::]:9443")).isEqualTo(new ListenAddress("::", 9443));
    assertThat(ListenAddress.parse("[::]:9443")).hasToString("[::]:9443");
    assertThat(ListenAddress.parse("agent.local:1")).isEqualTo(new ListenAddress("agent.local", 1));
    assertThatThrownBy(() -> ListenAddress.parse("9443")).hasMessageContaining("host:port");
    assertThatThrownBy(() -> ListenAddress.parse("::1:9443")).hasMessageContaining("host:port");
    assertThatThrownBy(() -> ListenAddress.parse("h:70000")).hasMessageContaining("65535");
  }
}
