package dev.lustrecsi.agent;

import dev.lustrecsi.agent.service.AgentService;
import dev.lustrecsi.common.error.ErrorMappingInterceptor;
import dev.lustrecsi.common.grpc.CallLoggingInterceptor;
import dev.lustrecsi.common.tls.GrpcTls;
import dev.lustrecsi.common.tls.TlsMaterial;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves the agent over TCP with mutual TLS: only a client holding a certificate from the
 * controller's CA gets in. Calls run on virtual threads, since they wait on Lustre commands.
 */
public final class AgentServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AgentServer.class.getName());
  /** A setquota or project walk under way is let finish (bounded) before the VM shuts down. */
  static final Duration GRACE = Duration.ofSeconds(20);

  private final Server server;
  private final ExecutorService executor;
  private final ListenAddress listen;

  private AgentServer(Server server, ExecutorService executor, ListenAddress listen) {
    this.server = server;
    this.executor = executor;
    this.listen = listen;
  }

  public static AgentServer start(ListenAddress listen, TlsMaterial tls, AgentService service) throws IOException {
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    Server server = NettyServerBuilder.forAddress(listen.socketAddress())
        .sslContext(GrpcTls.server(tls))
        .executor(executor)
        // Interceptors run last-added first: logging sees the status the error mapper produced.
        .addService(ServerInterceptors.intercept(service, new ErrorMappingInterceptor(), new CallLoggingInterceptor()))
        .build();
    try {
      server.start();
    } catch (IOException e) {
      executor.shutdownNow();
      throw new IOException("cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    LOG.log(Level.INFO, "agent serving with mutual TLS on " + listen.host() + ":" + server.getPort());
    return new AgentServer(server, executor, listen);
  }

  /** The bound port: the one asked for, or the one the system chose for port 0. */
  public int port() {
    return server.getPort();
  }

  public ListenAddress listen() {
    return new ListenAddress(listen.host(), port());
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops taking calls, lets running ones finish for up to {@link #GRACE}, then cancels the rest. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(Level.WARNING, "calls still running after " + GRACE.toSeconds() + "s; cancelling them");
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    LOG.log(Level.INFO, "agent stopped");
  }
}
