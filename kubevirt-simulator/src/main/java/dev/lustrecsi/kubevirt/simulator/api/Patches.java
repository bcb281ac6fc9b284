package dev.lustrecsi.kubevirt.simulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The patch types a client may send: JSON Patch (RFC 6902, what fabric8's {@code edit} sends),
 * JSON merge patch (RFC 7386), and strategic merge patch, applied here as a merge patch (the
 * strategic kind differs only for lists of core types with merge keys, which no caller of this
 * simulation patches).
 */
final class Patches {
  private Patches() {}

  /** Thrown for a patch that cannot be applied: the API answers 422 (or 409 for a failed test op). */
  static final class PatchException extends RuntimeException {
    final boolean testFailed;

    PatchException(String message, boolean testFailed) {
      super(message);
      this.testFailed = testFailed;
    }
  }

  /** Applies a patch of {@code contentType} to a copy of {@code target}. */
  static ObjectNode apply(String contentType, ObjectNode target, JsonNode patch) {
    String type = contentType == null ? "" : contentType.toLowerCase();
    ObjectNode copy = target.deepCopy();
    if (type.startsWith("application/json-patch+json")) {
      if (!patch.isArray()) {
        throw new PatchException("a JSON patch is an array of operations", false);
      }
      JsonNode result = copy;
      for (JsonNode operation : patch) {
        result = jsonPatch(result, operation);
      }
      if (!result.isObject()) {
        throw new PatchException("the patch does not leave an object", false);
      }
      return (ObjectNode) result;
    }
    if (!patch.isObject()) {
      throw new PatchException("a merge patch is an object", false);
    }
    return (ObjectNode) merge(copy, patch);
  }

  static JsonNode merge(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  private static JsonNode jsonPatch(JsonNode document, JsonNode operation) {
    String op = operation.path("op").asText();
    List<String> path = pointer(operation.path("path").asText());
    switch (op) {
      case "add":
        return add(document, path, operation.get("value").deepCopy());
      case "remove":
        get(document, path);
        return remove(document, path);
      case "replace":
        get(document, path);
        return add(remove(document, path), path, operation.get("value").deepCopy());
      case "move": {
        List<String> from = pointer(operation.path("from").asText());
        JsonNode value = get(document, from);
        return add(remove(document, from), path, value);
      }
      case "copy":
        return add(document, path, get(document, pointer(operation.path("from").asText())).deepCopy());
      case "test":
        if (!get(document, path).equals(operation.get("value"))) {
          throw new PatchException("test operation failed at " + operation.path("path").asText(), true);
        }
        return document;
      default:
        throw new PatchException("unknown JSON patch operation " + op, false);
    }
  }

  private static List<String> pointer(String pointer) {
    List<String> parts = new ArrayList<>();
    if (pointer.isEmpty()) {
      return parts;
    }
    if (!pointer.startsWith("/")) {
      throw new PatchException("invalid JSON pointer " + pointer, false);
    }
    for (String part : pointer.substring(1).split("/", -1)) {
      parts.add(part.replace("~1", "/").replace("~0", "~"));
    }
    return parts;
  }

  private static JsonNode get(JsonNode document, List<String> path) {
    JsonNode node = document;
    for (String part : path) {
      node = node.isArray() ? node.get(index(part, node.size() - 1)) : node.get(part);
      if (node == null) {
        throw new PatchException("no value at /" + String.join("/", path), false);
      }
    }
    return node;
  }

  private static JsonNode add(JsonNode document, List<String> path, JsonNode value) {
    if (path.isEmpty()) {
      return value;
    }
    JsonNode parent = get(document, path.subList(0, path.size() - 1));
    String last = path.getLast();
    if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else if (parent instanceof ArrayNode array) {
      if (last.equals("-")) {
        array.add(value);
      } else {
        array.insert(index(last, array.size()), value);
      }
    } else {
      throw new PatchException("cannot add below a value at /" + String.join("/", path), false);
    }
    return document;
  }

  private static JsonNode remove(JsonNode document, List<String> path) {
    if (path.isEmpty()) {
      return JsonNodeFactory.instance.objectNode();
    }
    JsonNode parent = get(document, path.subList(0, path.size() - 1));
    String last = path.getLast();
    if (parent instanceof ObjectNode object) {
      object.remove(last);
    } else if (parent instanceof ArrayNode array) {
      array.remove(index(last, array.size() - 1));
    }
    return document;
  }

  private static int index(String part, int max) {
    try {
      int index = Integer.parseInt(part);
      if (index < 0 || index > max) {
        throw new PatchException("index " + part + " out of bounds", false);
      }
      return index;
    } catch (NumberFormatException e) {
      throw new PatchException("not an array index: " + part, false);
    }
  }
}
