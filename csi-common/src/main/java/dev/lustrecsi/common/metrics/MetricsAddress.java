package dev.lustrecsi.common.metrics;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a component serves Prometheus metrics: {@code :PORT} on every interface, {@code HOST:PORT}
 * on one ({@code [::1]:PORT} for IPv6). Port 0 takes a free port (tests, the sandbox).
 *
 * @param host the address to bind, empty for every interface
 * @param port the TCP port
 */
public record MetricsAddress(String host, int port) {
  private static final Pattern FORM = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([^:\\[\\]]*)):(\\d{1,5})");

  public MetricsAddress {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
    }
  }

  /** The address a flag names; empty when the flag is empty (metrics off). */
  public static Optional<MetricsAddress> parse(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not :PORT or HOST:PORT (e.g. :9811 or 127.0.0.1:9811)");
    }
    return Optional.of(new MetricsAddress(m.group(1) != null ? m.group(1) : m.group(2), Integer.parseInt(m.group(3))));
  }

  InetSocketAddress socketAddress() {
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
