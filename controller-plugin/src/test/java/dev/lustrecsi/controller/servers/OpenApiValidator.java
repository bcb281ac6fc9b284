package dev.lustrecsi.controller.servers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON document against a definition of an OpenAPI v2 (swagger) document: unknown
 * fields, missing required fields, and types. Enough of the schema language for KubeVirt's API
 * (objects, arrays, maps, $ref, scalars, int-or-string and quantities), written here because
 * fabric8's deserializer accepts anything and KubeVirt ships no Java model.
 */
final class OpenApiValidator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonNode definitions;

  private OpenApiValidator(JsonNode definitions) {
    this.definitions = definitions;
  }

  /** The KubeVirt API document the project keeps beside it (../shared/schemas). */
  static OpenApiValidator kubevirt() throws IOException {
    Path here = Path.of("").toAbsolutePath();
    for (Path dir = here; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/schemas/kubevirt-swagger.json");
      if (Files.exists(candidate)) {
        return new OpenApiValidator(JSON.readTree(candidate.toFile()).get("definitions"));
      }
      Path sibling = dir.resolve("../shared/schemas/kubevirt-swagger.json");
      if (Files.exists(sibling)) {
        return new OpenApiValidator(JSON.readTree(sibling.toFile()).get("definitions"));
      }
    }
    // Kept in the repository too, so the check runs on any clone.
    try (var in = OpenApiValidator.class.getResourceAsStream("/kubevirt-swagger.json")) {
      if (in == null) {
        throw new IOException("kubevirt-swagger.json not found beside the project nor on the test class path");
      }
      return new OpenApiValidator(JSON.readTree(in).get("definitions"));
    }
  }

  /** Every violation, as "path: problem"; empty when the document conforms. */
  List<String> validate(Object document, String definition) {
    List<String> problems = new ArrayList<>();
    check(JSON.valueToTree(document), definitions.get(definition), "$", problems);
    return problems;
  }

  private void check(JsonNode value, JsonNode schema, String path, List<String> problems) {
    if (schema == null) {
      problems.add(path + ": no schema");
      return;
    }
    if (schema.has("$ref")) {
      String name = schema.get("$ref").asText().substring("#/definitions/".length());
      JsonNode target = definitions.get(name);
      if (target == null) {
        problems.add(path + ": unknown definition " + name);
        return;
      }
      if (name.endsWith("resource.Quantity") || name.endsWith("intstr.IntOrString")) {
        if (!value.isTextual() && !value.isNumber()) {
          problems.add(path + ": must be a quantity (string or number)");
        }
        return;
      }
      check(value, target, path, problems);
      return;
    }
    String type = schema.path("type").asText("object");
    switch (type) {
      case "object" -> {
        if (!value.isObject()) {
          problems.add(path + ": must be an object");
          return;
        }
        JsonNode properties = schema.get("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          if (properties != null && properties.has(field.getKey())) {
            check(field.getValue(), properties.get(field.getKey()), path + "." + field.getKey(), problems);
          } else if (schema.has("additionalProperties")) {
            check(field.getValue(), schema.get("additionalProperties"), path + "." + field.getKey(), problems);
          } else if (properties != null) {
            problems.add(path + "." + field.getKey() + ": unknown field");
          }
        }
        for (JsonNode required : schema.path("required")) {
          if (!value.has(required.asText())) {
            problems.add(path + "." + required.asText() + ": required");
          }
        }
      }
      case "array" -> {
        if (!value.isArray()) {
          problems.add(path + ": must be an array");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          check(value.get(i), schema.get("items"), path + "[" + i + "]", problems);
        }
      }
      case "string" -> {
        if (!value.isTextual()) {
          problems.add(path + ": must be a string");
        }
      }
      case "integer" -> {
        if (!value.isIntegralNumber()) {
          problems.add(path + ": must be an integer");
        }
      }
      case "number" -> {
        if (!value.isNumber()) {
          problems.add(path + ": must be a number");
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          problems.add(path + ": must be a boolean");
        }
      }
      default -> problems.add(path + ": unsupported schema type " + type);
    }
  }
}
