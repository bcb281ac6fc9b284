package dev.lustrecsi.common.tls;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;

/**
 * Netty SSL contexts for gRPC with mutual TLS. Both use the JDK's TLS implementation (no
 * tcnative: one less native library in the server VM and the controller image) and trust only
 * the project's CA. The server requires a client certificate; the client verifies that the
 * server's certificate names the address it dialled (gRPC turns hostname verification on).
 */
public final class GrpcTls {
  private GrpcTls() {}

  public static SslContext server(TlsMaterial material) throws SSLException {
    return GrpcSslContexts.configure(
            io.netty.handler.ssl.SslContextBuilder.forServer(stream(material.certPem()), stream(material.keyPem())), SslProvider.JDK)
        .trustManager(stream(material.caPem()))
        .clientAuth(ClientAuth.REQUIRE)
        .build();
  }

  public static SslContext client(TlsMaterial material) throws SSLException {
    return GrpcSslContexts.configure(io.netty.handler.ssl.SslContextBuilder.forClient(), SslProvider.JDK)
        .trustManager(stream(material.caPem()))
        .keyManager(stream(material.certPem()), stream(material.keyPem()))
        .build();
  }

  private static InputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8));
  }
}
