package dev.lustrecsi.node.lnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parsers for lnetctl's YAML output. Only the keys the node plugin needs are read, line by line:
 * lnetctl's layout (indentation, "- " list markers, "net type" present or not) differs between
 * Lustre versions, and the keys do not.
 */
public final class LnetOutput {
  private LnetOutput() {}

  /** The local NIs of {@code lnetctl net show} (with or without -v). */
  public static List<LocalNi> netShow(String text) {
    List<LocalNi> nis = new ArrayList<>();
    Nid nid = null;
    String status = "";
    List<String> interfaces = new ArrayList<>();
    boolean inInterfaces = false;
    for (String raw : text.split("\n")) {
      String line = withoutListMarker(raw.strip());
      Optional<String> nidValue = value(line, "nid");
      if (nidValue.isPresent()) {
        if (nid != null) {
          nis.add(new LocalNi(nid, status, interfaces));
        }
        nid = Nid.parse(nidValue.get()).orElse(null);
        status = "";
        interfaces = new ArrayList<>();
        inInterfaces = false;
        continue;
      }
      if (line.equals("interfaces:")) {
        inInterfaces = true;
        continue;
      }
      if (inInterfaces && line.matches("[0-9]+: \\S+")) {
        interfaces.add(line.substring(line.indexOf(':') + 1).strip());
        continue;
      }
      inInterfaces = false;
      Optional<String> statusValue = value(line, "status");
      if (statusValue.isPresent()) {
        status = statusValue.get();
      }
    }
    if (nid != null) {
      nis.add(new LocalNi(nid, status, interfaces));
    }
    return nis;
  }

  /** The NIs of the peer that answered {@code lnetctl ping}; empty when the output shows no answer. */
  public static List<Nid> ping(String text) {
    if (text.lines().map(l -> withoutListMarker(l.strip())).noneMatch(l -> l.startsWith("primary nid:"))) {
      return List.of();
    }
    List<Nid> nids = new ArrayList<>();
    for (String raw : text.split("\n")) {
      value(withoutListMarker(raw.strip()), "nid").flatMap(Nid::parse).ifPresent(nids::add);
    }
    return nids;
  }

  private static String withoutListMarker(String line) {
    return line.startsWith("- ") ? line.substring(2).strip() : line;
  }

  private static Optional<String> value(String line, String key) {
    String prefix = key + ":";
    if (!line.startsWith(prefix)) {
      return Optional.empty();
    }
    String value = line.substring(prefix.length()).strip();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    return Optional.of(value);
  }
}
