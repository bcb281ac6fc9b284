package dev.lustrecsi.common.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.concurrent.Executors;

/**
 * Serves one component's registry at {@code /metrics} over plain HTTP (Prometheus client_java's
 * server on the JDK's built-in HTTP server: no second network stack). Scrapes run on virtual
 * threads: a callback that reads the mount table or a cache never holds a platform thread.
 */
public final class MetricsServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(MetricsServer.class.getName());

  private final HTTPServer server;
  private final String host;

  private MetricsServer(HTTPServer server, String host) {
    this.server = server;
    this.host = host;
  }

  /** Binds the address and serves; fails when the port is taken. */
  public static MetricsServer start(MetricsAddress address, PrometheusRegistry registry) {
    HTTPServer.Builder builder = HTTPServer.builder()
        .inetAddress(address.socketAddress().getAddress())
        .port(address.port())
        .registry(registry)
        .executorService(Executors.newVirtualThreadPerTaskExecutor());
    try {
      HTTPServer server = builder.buildAndStart();
      LOG.log(Level.INFO, "serving metrics on " + new MetricsAddress(address.host(), server.getPort()) + "/metrics");
      return new MetricsServer(server, address.host());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + address + ": " + e.getMessage(), e);
    }
  }

  /** The bound port: the one asked for, or the one the system chose for port 0. */
  public int port() {
    return server.getPort();
  }

  /** Where a scraper on this machine reaches it. */
  public URI uri() {
    String reachable = host.isEmpty() || host.equals("0.0.0.0") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
    return URI.create("http://" + reachable + ":" + port() + "/metrics");
  }

  @Override
  public void close() {
    server.close();
  }
}
