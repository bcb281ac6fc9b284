package dev.lustrecsi.common.grpc;

import dev.lustrecsi.common.error.ErrorMappingInterceptor;
import dev.lustrecsi.common.metrics.CsiCallMetrics;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves CSI services over a Unix domain socket with Netty's epoll transport.
 *
 * <p>Calls run on virtual threads: CSI calls block on mounts, commands and disk, and a virtual
 * thread per call keeps that cheap without a tuned pool. A stale socket from a previous run is
 * removed before binding (kubelet restarts plugins without cleaning up), and the socket file is
 * removed again on close.
 */
public final class CsiServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(CsiServer.class.getName());

  private final Endpoint endpoint;
  private final Server server;
  private final EventLoopGroup group;
  private final ExecutorService executor;

  private CsiServer(Endpoint endpoint, Server server, EventLoopGroup group, ExecutorService executor) {
    this.endpoint = endpoint;
    this.server = server;
    this.group = group;
    this.executor = executor;
  }

  /** As {@link #start(Endpoint, List, CsiCallMetrics)}, timing calls into a registry no one serves (tests). */
  public static CsiServer start(Endpoint endpoint, List<BindableService> services) {
    return start(endpoint, services, new CsiCallMetrics(new PrometheusRegistry()));
  }

  /** Binds the socket and starts serving, timing every call into {@code callMetrics}; returns once the socket accepts connections. */
  public static CsiServer start(Endpoint endpoint, List<BindableService> services, CsiCallMetrics callMetrics) {
    Path socket = endpoint.socketPath();
    try {
      Files.createDirectories(socket.getParent());
      removeStaleSocket(socket);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare socket " + socket, e);
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            // gRPC turns SO_KEEPALIVE on; a Unix socket has no such option and Netty warns. A null value removes it.
            .withChildOption(ChannelOption.SO_KEEPALIVE, null)
            .executor(executor);
    for (BindableService service : services) {
      // Interceptors run last-added first: logging and metrics see the status the error mapper
      // produced, and no request over the CSI size limits reaches a service.
      builder.addService(ServerInterceptors.intercept(service, new FieldLimitsInterceptor(), new ErrorMappingInterceptor(),
          new CallLoggingInterceptor(), callMetrics));
    }
    Server server = builder.build();
    try {
      server.start();
      // Only the plugin's own user (root, as kubelet) may connect.
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    } catch (IOException e) {
      group.shutdownGracefully();
      executor.shutdownNow();
      throw new UncheckedIOException("cannot serve on " + endpoint, e);
    }
    LOG.log(Level.INFO, "serving on " + endpoint);
    return new CsiServer(endpoint, server, group, executor);
  }

  private static void removeStaleSocket(Path socket) throws IOException {
    if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      if (Files.isDirectory(socket)) {
        throw new IOException(socket + " is a directory, not a socket");
      }
      Files.delete(socket);
      LOG.log(Level.INFO, "removed stale socket " + socket);
    }
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** Blocks until the server shuts down. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls, lets running calls finish for a few seconds, then releases the socket. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    try {
      Files.deleteIfExists(endpoint.socketPath());
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not remove socket " + endpoint.socketPath() + ": " + e.getMessage());
    }
    LOG.log(Level.INFO, "stopped serving on " + endpoint);
  }
}
