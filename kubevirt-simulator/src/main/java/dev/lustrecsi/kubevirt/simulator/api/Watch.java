package dev.lustrecsi.kubevirt.simulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;

/**
 * One client's watch: the objects of a type (in one namespace, or all), narrowed by label and field
 * selectors; events are sent to {@code sink} in the order the store made them.
 */
final class Watch {
  private final ResourceType type;
  private final String namespace;
  private final Selector labels;
  private final Selector fields;
  private final Consumer<String> sink;

  Watch(ResourceType type, String namespace, Selector labels, Selector fields, Consumer<String> sink) {
    this.type = type;
    this.namespace = namespace;
    this.labels = labels;
    this.fields = fields;
    this.sink = sink;
  }

  boolean covers(ResourceType type, String namespace) {
    return this.type.equals(type) && (this.namespace == null || this.namespace.equals(namespace));
  }

  boolean selects(JsonNode object) {
    return object != null && labels.matchesLabels(object) && fields.matchesFields(object);
  }

  /**
   * Sends the event as this watch sees it: an object that stops matching its selectors is
   * DELETED for it, one that starts matching is ADDED, as an API server's watch cache does.
   */
  void offer(String type, JsonNode before, JsonNode after, String afterJson) {
    boolean was = before != null && selects(before);
    boolean is = selects(after);
    if (!was && !is) {
      return;
    }
    String seen = type;
    if (type.equals("MODIFIED") && !was) {
      seen = "ADDED";
    } else if (type.equals("MODIFIED") && !is) {
      seen = "DELETED";
    }
    send(seen, afterJson);
  }

  void send(String type, String objectJson) {
    sink.accept("{\"type\":\"" + type + "\",\"object\":" + objectJson + "}");
  }

  void error(String statusJson) {
    sink.accept("{\"type\":\"ERROR\",\"object\":" + statusJson + "}");
  }
}
