package dev.lustrecsi.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Rendered manifests, each parsed into fabric8's typed model. A kind fabric8 does not know is an
 * error unless the caller names it as a custom kind: a typo in apiVersion or kind would otherwise
 * slip through as a generic map.
 */
record Rendered(List<HasMetadata> objects) {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

  static {
    // The driver's own resource, which the chart renders for filesystems the site runs: parsed
    // into the controller's model, so a field the CRD does not have fails here.
    KUBERNETES.registerKubernetesResource(dev.lustrecsi.controller.filesystem.LustreFilesystem.class);
  }

  /** Parses multi-document YAML; every document must be a Kubernetes kind fabric8 models. */
  static Rendered parse(String yaml) {
    return parse(yaml, Set.of());
  }

  /** As {@link #parse(String)}, letting the named custom kinds (apiVersion/kind) stay generic. */
  static Rendered parse(String yaml, Set<String> customKinds) {
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue; // an empty document between two separators
        }
        objects.add(typed(doc, customKinds));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered YAML does not parse", e);
    }
    return new Rendered(List.copyOf(objects));
  }

  private static HasMetadata typed(JsonNode doc, Set<String> customKinds) {
    String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
    KubernetesResource parsed;
    try {
      parsed = KUBERNETES.unmarshal(JSON.writeValueAsString(doc));
    } catch (IOException | RuntimeException e) {
      throw new AssertionError(type + " does not parse into fabric8's model: " + e.getMessage(), e);
    }
    if (parsed instanceof GenericKubernetesResource && !customKinds.contains(type)) {
      throw new AssertionError(type + " (" + doc.path("metadata").path("name").asText()
          + ") is not a kind fabric8 knows: wrong apiVersion or kind?");
    }
    if (!(parsed instanceof HasMetadata withMetadata)) {
      throw new AssertionError(type + " is not an object with metadata");
    }
    return withMetadata;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + ", rendered " + found.size());
    }
    return found.getFirst();
  }

  <T extends HasMetadata> T named(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
  }
}
