package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a LustreFilesystem's status says, as far as the suite looks at it. */
record FilesystemState(String name, String fsName, String phase, long ostCount, long committedBytes, List<Condition> conditions,
    List<Target> targets) {
  /** One entry of status.conditions. */
  record Condition(String type, String status, String reason, String message) {}

  /** One entry of status.targets (MGT, MDT or OST). */
  record Target(String name, String kind, long index, String server, String state) {}

  static FilesystemState of(GenericKubernetesResource filesystem) {
    Map<?, ?> status = filesystem.getAdditionalProperties().get("status") instanceof Map<?, ?> map ? map : Map.of();
    Map<?, ?> spec = filesystem.getAdditionalProperties().get("spec") instanceof Map<?, ?> map ? map : Map.of();
    return new FilesystemState(filesystem.getMetadata().getName(), text(spec.get("fsName")), text(status.get("phase")),
        number(status.get("ostCount")), number(status.get("committedBytes")),
        entries(status.get("conditions")).stream()
            .map(c -> new Condition(text(c.get("type")), text(c.get("status")), text(c.get("reason")), text(c.get("message")))).toList(),
        entries(status.get("targets")).stream()
            .map(t -> new Target(text(t.get("name")), text(t.get("kind")), number(t.get("index")), text(t.get("server")), text(t.get("state"))))
            .toList());
  }

  boolean ready() {
    return "Ready".equals(phase);
  }

  Optional<Condition> condition(String type) {
    return conditions.stream().filter(c -> type.equals(c.type())).findFirst();
  }

  /** The phase and every condition that is not as a healthy filesystem has it: what a failure message needs. */
  String describe() {
    return "LustreFilesystem " + name + " phase " + phase + ", " + ostCount + " OSTs, conditions "
        + conditions.stream().map(c -> c.type() + "=" + c.status() + " " + c.reason() + ": " + c.message()).toList();
  }

  private static List<Map<?, ?>> entries(Object list) {
    return list instanceof List<?> items
        ? items.stream().filter(Map.class::isInstance).<Map<?, ?>>map(Map.class::cast).toList()
        : List.of();
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }
}
