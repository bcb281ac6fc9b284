package dev.lustrecsi.agent;

import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code host:port} to listen on; IPv6 hosts in brackets ({@code [::]:9443}). */
public record ListenAddress(String host, int port) {
  public static final String DEFAULT = "0.0.0.0:9443";
  private static final Pattern FORM = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([^:\\[\\]]+)):(\\d{1,5})");

  public ListenAddress {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
    }
  }

  public static ListenAddress parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not host:port (e.g. " + DEFAULT + " or [::]:9443)");
    }
    return new ListenAddress(m.group(1) != null ? m.group(1) : m.group(2), Integer.parseInt(m.group(3)));
  }

  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
