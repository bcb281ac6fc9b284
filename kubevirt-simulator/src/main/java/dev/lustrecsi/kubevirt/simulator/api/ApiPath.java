package dev.lustrecsi.kubevirt.simulator.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A request path of the Kubernetes API, taken apart: {@code /api/v1/namespaces/NS/PLURAL/NAME/SUB}
 * for the core group, {@code /apis/GROUP/VERSION/...} for the others; the namespace, name and
 * subresource may be absent. Discovery paths ({@code /api}, {@code /apis/GROUP/VERSION}) have no
 * plural.
 */
record ApiPath(String group, String version, String namespace, String plural, String name, String subresource,
    Map<String, String> query) {

  /** Parses a path with its query string; empty when it is not under /api or /apis. */
  static Optional<ApiPath> parse(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    Map<String, String> query = q < 0 ? Map.of() : query(pathAndQuery.substring(q + 1));
    int from = 0;
    int to = path.length();
    while (from < to && path.charAt(from) == '/') {
      from++;
    }
    while (to > from && path.charAt(to - 1) == '/') {
      to--;
    }
    String[] parts = path.substring(from, to).split("/");
    int i;
    String group;
    String version;
    if (parts.length >= 1 && parts[0].equals("api")) {
      group = "";
      version = parts.length > 1 ? parts[1] : null;
      i = 2;
    } else if (parts.length >= 1 && parts[0].equals("apis")) {
      group = parts.length > 1 ? parts[1] : null;
      version = parts.length > 2 ? parts[2] : null;
      i = 3;
    } else {
      return Optional.empty();
    }
    String namespace = null;
    // "namespaces/NS/PLURAL..." is a namespaced resource; "namespaces" or "namespaces/NS" alone is the Namespace kind itself.
    if (parts.length > i + 2 && parts[i].equals("namespaces")) {
      namespace = parts[i + 1];
      i += 2;
    }
    String plural = parts.length > i ? parts[i] : null;
    String name = parts.length > i + 1 ? parts[i + 1] : null;
    String subresource = parts.length > i + 2 ? parts[i + 2] : null;
    return Optional.of(new ApiPath(group, version, namespace, plural, name, subresource, query));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      query.put(key, value);
    }
    return query;
  }

  private static String decode(String text) {
    return text.indexOf('%') < 0 && text.indexOf('+') < 0 ? text : URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  /** The resource type this path names (group, version, plural), or null for a discovery path. */
  ResourceType type() {
    return plural == null || version == null ? null : new ResourceType(group, version, plural);
  }

  boolean watch() {
    return "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
  }

  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }
}
