package dev.lustrecsi.controller.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Whether one JSON document holds everything another one says: every field of {@code wanted}
 * with the same value (objects compared the same way, field by field), arrays of the same length
 * whose elements hold each other's, and any other fields of {@code held} ignored. An array's
 * length counts: a disk taken out of a VM must be seen as a change.
 */
final class JsonSubset {
  private JsonSubset() {}

  static boolean contains(JsonNode held, JsonNode wanted) {
    if (wanted == null || wanted.isNull()) {
      return held == null || held.isNull() || held.isMissingNode();
    }
    if (held == null) {
      return false;
    }
    if (wanted.isObject()) {
      if (!held.isObject()) {
        return false;
      }
      for (Iterator<Map.Entry<String, JsonNode>> fields = wanted.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!contains(held.get(field.getKey()), field.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (wanted.isArray()) {
      if (!held.isArray() || held.size() != wanted.size()) {
        return false;
      }
      for (int i = 0; i < wanted.size(); i++) {
        if (!contains(held.get(i), wanted.get(i))) {
          return false;
        }
      }
      return true;
    }
    return wanted.equals(held);
  }
}
