package dev.lustrecsi.common.grpc;

import java.nio.file.Path;

/**
 * A CSI endpoint. Only Unix domain sockets are served: kubelet and the sidecars reach plugins
 * through a socket on a shared volume, and a TCP port would expose the plugin to the network.
 *
 * @param socketPath the absolute path of the socket file
 */
public record Endpoint(Path socketPath) {
  private static final String UNIX_SCHEME = "unix://";

  public Endpoint {
    if (!socketPath.isAbsolute()) {
      throw new IllegalArgumentException("endpoint socket path must be absolute: " + socketPath);
    }
    socketPath = socketPath.normalize();
  }

  /** Parses {@code unix:///path/csi.sock} (or the plain {@code unix:/path} form some tools write). */
  public static Endpoint parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("endpoint is empty; expected unix:///path/to/csi.sock");
    }
    String path;
    if (uri.startsWith(UNIX_SCHEME)) {
      path = uri.substring(UNIX_SCHEME.length());
    } else if (uri.startsWith("unix:")) {
      path = uri.substring("unix:".length());
    } else {
      throw new IllegalArgumentException("endpoint " + uri + " is not a unix socket; expected unix:///path/to/csi.sock");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("endpoint " + uri + " must name an absolute path, as unix:///path/to/csi.sock");
    }
    return new Endpoint(Path.of(path));
  }

  public static Endpoint of(Path socketPath) {
    return new Endpoint(socketPath.toAbsolutePath());
  }

  @Override
  public String toString() {
    return UNIX_SCHEME + socketPath;
  }
}
