package dev.lustrecsi.common.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.util.concurrent.TimeUnit;

/** Client channels to CSI endpoints over Unix sockets, for tests, the demo and the benchmark. */
public final class UnixSockets {
  private UnixSockets() {}

  /** A channel and the event loop it owns; closing it releases both. */
  public record Client(ManagedChannel channel, EventLoopGroup group) implements AutoCloseable {
    @Override
    public void close() {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  public static Client connect(Endpoint endpoint) {
    return connect(endpoint, 1);
  }

  public static Client connect(Endpoint endpoint, int ioThreads) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(ioThreads, EpollIoHandler.newFactory());
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(endpoint.socketPath().toFile()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            // gRPC turns SO_KEEPALIVE on; a Unix socket has no such option and Netty warns. A null value removes it.
            .withOption(io.netty.channel.ChannelOption.SO_KEEPALIVE, null)
            .build();
    return new Client(channel, group);
  }
}
