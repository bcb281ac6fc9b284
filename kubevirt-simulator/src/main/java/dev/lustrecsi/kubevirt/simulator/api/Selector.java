package dev.lustrecsi.kubevirt.simulator.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A label or field selector as the API takes it in {@code labelSelector} and {@code fieldSelector}:
 * comma-separated requirements, each {@code key=value}, {@code key==value}, {@code key!=value},
 * {@code key in (a,b)}, {@code key notin (a,b)}, {@code key} or {@code !key}; all must hold.
 */
final class Selector {
  private static final Pattern SET = Pattern.compile("\\s*([^\\s!=,()]+)\\s+(in|notin)\\s+\\(([^)]*)\\)\\s*");
  private static final Pattern EQUALITY = Pattern.compile("\\s*([^\\s!=,()]+)\\s*(==|=|!=)\\s*([^\\s,()]*)\\s*");
  private static final Pattern EXISTS = Pattern.compile("\\s*(!?)([^\\s!=,()]+)\\s*");
  static final Selector ALL = new Selector(List.of());

  private record Requirement(String key, String operator, Set<String> values) {
    boolean test(String actual) {
      return switch (operator) {
        case "in", "=" -> actual != null && values.contains(actual);
        case "notin", "!=" -> actual == null || !values.contains(actual);
        case "exists" -> actual != null;
        default -> actual == null;  // "!": the key is absent
      };
    }
  }

  private final List<Requirement> requirements;

  private Selector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** Parses a selector; null or blank selects everything. */
  static Selector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      return ALL;
    }
    List<Requirement> requirements = new ArrayList<>();
    for (String term : splitTopLevel(selector)) {
      Matcher set = SET.matcher(term);
      Matcher equality = EQUALITY.matcher(term);
      Matcher exists = EXISTS.matcher(term);
      if (set.matches()) {
        Set<String> values = new java.util.HashSet<>();
        for (String value : set.group(3).split(",")) {
          values.add(value.trim());
        }
        requirements.add(new Requirement(set.group(1), set.group(2), values));
      } else if (equality.matches()) {
        requirements.add(new Requirement(equality.group(1), equality.group(2).equals("!=") ? "!=" : "=", Set.of(equality.group(3))));
      } else if (exists.matches()) {
        requirements.add(new Requirement(exists.group(2), exists.group(1).isEmpty() ? "exists" : "!", Set.of()));
      } else {
        throw new IllegalArgumentException("unable to parse requirement: " + term);
      }
    }
    return new Selector(List.copyOf(requirements));
  }

  /** Commas inside "in (a,b)" do not separate requirements. */
  private static List<String> splitTopLevel(String selector) {
    List<String> terms = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        terms.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    terms.add(selector.substring(start));
    return terms;
  }

  /** Whether the values {@code lookup} gives for this selector's keys satisfy every requirement. */
  boolean matches(Function<String, String> lookup) {
    for (Requirement requirement : requirements) {
      if (!requirement.test(lookup.apply(requirement.key()))) {
        return false;
      }
    }
    return true;
  }

  /** Whether an object's labels satisfy this label selector. */
  boolean matchesLabels(JsonNode object) {
    if (requirements.isEmpty()) {
      return true;
    }
    JsonNode labels = object.path("metadata").path("labels");
    return matches(key -> labels.path(key).isTextual() ? labels.path(key).asText() : null);
  }

  /** Whether an object's fields satisfy this field selector ({@code metadata.name}, {@code metadata.namespace}, any dotted path to a text). */
  boolean matchesFields(JsonNode object) {
    if (requirements.isEmpty()) {
      return true;
    }
    return matches(key -> {
      JsonNode node = object;
      for (String part : key.split("\\.")) {
        node = node.path(part);
      }
      return node.isValueNode() ? node.asText() : null;
    });
  }
}
