package dev.lustrecsi.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.v1.GetHealthRequest;
import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.LustreAgentGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real TLS handshakes over TCP on 127.0.0.1: who is let in and who is refused. */
class MutualTlsTest {
  private static final Clock CLOCK = Clock.systemUTC();
  private static final CertificateAuthority CA = CertificateAuthority.create("lustre-csi test CA", CLOCK);
  private static final CertificateAuthority OTHER_CA = CertificateAuthority.create("someone else's CA", CLOCK);

  private final List<ManagedChannel> channels = new ArrayList<>();
  private Server server;

  /** Answers GetHealth with "healthy": enough to tell a completed call from a refused handshake. */
  private static final class Healthy extends LustreAgentGrpc.LustreAgentImplBase {
    @Override
    public void getHealth(GetHealthRequest request, StreamObserver<GetHealthResponse> observer) {
      observer.onNext(GetHealthResponse.newBuilder().setHealthCheck("healthy").build());
      observer.onCompleted();
    }
  }

  private int serve(TlsMaterial material) throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(GrpcTls.server(material))
        .addService(new Healthy())
        .build()
        .start();
    return server.getPort();
  }

  private GetHealthResponse call(int port, SslContext client) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(client).build();
    channels.add(channel);
    return LustreAgentGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).getHealth(GetHealthRequest.getDefaultInstance());
  }

  private static TlsMaterial agentCertificate() {
    return CA.issueServer("agent fs1-oss0", List.of("fs1-oss0.lustre.svc"), List.of("127.0.0.1", "10.1.0.21"));
  }

  private static void assertRefused(ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @AfterEach
  void stop() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theControllerCertificateIsLetIn() throws Exception {
    int port = serve(agentCertificate());
    assertThat(call(port, GrpcTls.client(CA.issueClient("lustre-csi-controller"))).getHealthCheck()).isEqualTo("healthy");
  }

  @Test
  void aClientCertificateFromAnotherCaIsRefused() throws Exception {
    int port = serve(agentCertificate());
    TlsMaterial stranger = OTHER_CA.issueClient("lustre-csi-controller");
    // The stranger trusts our CA, so only the server's check of its certificate can stop it.
    assertRefused(() -> call(port, GrpcTls.client(new TlsMaterial(CA.certificatePem(), stranger.certPem(), stranger.keyPem()))));
  }

  @Test
  void aClientWithoutCertificateIsRefused() throws Exception {
    int port = serve(agentCertificate());
    SslContext anonymous = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
        .trustManager(new ByteArrayInputStream(CA.certificatePem().getBytes(StandardCharsets.UTF_8)))
        .build();
    assertRefused(() -> call(port, anonymous));
  }

  @Test
  void anExpiredServerCertificateIsRefused() throws Exception {
    Instant now = Instant.now();
    int port = serve(CA.issueServer("agent", List.of(), List.of("127.0.0.1"), new Validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)))));
    assertRefused(() -> call(port, GrpcTls.client(CA.issueClient("lustre-csi-controller"))));
  }

  @Test
  void anExpiredClientCertificateIsRefused() throws Exception {
    int port = serve(agentCertificate());
    Instant now = Instant.now();
    TlsMaterial expired = CA.issueClient("lustre-csi-controller", new Validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))));
    assertRefused(() -> call(port, GrpcTls.client(expired)));
  }

  @Test
  void aServerCertificateForAnotherAddressIsRefused() throws Exception {
    int port = serve(CA.issueServer("agent fs1-oss1", List.of("fs1-oss1.lustre.svc"), List.of("10.1.0.22")));
    assertRefused(() -> call(port, GrpcTls.client(CA.issueClient("lustre-csi-controller"))));
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefused() throws Exception {
    TlsMaterial impostor = OTHER_CA.issueServer("agent", List.of(), List.of("127.0.0.1"));
    int port = serve(new TlsMaterial(CA.certificatePem(), impostor.certPem(), impostor.keyPem()));
    assertRefused(() -> call(port, GrpcTls.client(CA.issueClient("lustre-csi-controller"))));
  }
}
