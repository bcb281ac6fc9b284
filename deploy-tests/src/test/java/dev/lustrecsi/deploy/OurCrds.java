package dev.lustrecsi.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The project's own custom resources as deploy/crds/ defines them: each kind's names, printer
 * columns and openAPIV3Schema, and a field's schema found by its path ({@code spec.external.volumeRoot},
 * {@code status.servers[].state}: {@code []} steps into a list's items).
 */
record OurCrds(List<Crd> crds) {
  private static final YAMLMapper YAML = new YAMLMapper();

  /** A printer column of {@code kubectl get}. */
  record Column(String name, String jsonPath) {}

  /** One custom resource definition, read from its file. */
  record Crd(String kind, String apiVersion, List<String> resourceNames, List<Column> columns, JsonNode schema) {
    /** The schema of the field at {@code path}, if the resource has that field. */
    Optional<JsonNode> field(String path) {
      JsonNode node = schema;
      for (String step : path.split("\\.")) {
        boolean items = step.endsWith("[]");
        node = node.path("properties").get(items ? step.substring(0, step.length() - 2) : step);
        if (node == null) {
          return Optional.empty();
        }
        if (items) {
          if (!node.has("items")) {
            return Optional.empty();
          }
          node = node.get("items");
        }
      }
      return Optional.of(node);
    }

    boolean has(String path) {
      return field(path).isPresent();
    }

    /** Whether {@code kubectl get NAME} means this resource: its plural, singular or short name, bare or with the group. */
    boolean isCalled(String name) {
      String bare = name.toLowerCase(Locale.ROOT).replaceFirst("\\..*", "");
      return resourceNames.contains(bare);
    }
  }

  static OurCrds read() {
    try (Stream<Path> files = Files.list(RepoLayout.generatedCrds())) {
      List<Crd> crds = new ArrayList<>();
      for (Path file : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
        crds.add(crd(YAML.readTree(file.toFile())));
      }
      return new OurCrds(crds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Crd crd(JsonNode definition) {
    JsonNode spec = definition.get("spec");
    JsonNode names = spec.get("names");
    List<String> resourceNames = new ArrayList<>(List.of(names.get("plural").asText(), names.get("singular").asText()));
    names.path("shortNames").forEach(n -> resourceNames.add(n.asText()));
    JsonNode version = spec.get("versions").get(0);
    List<Column> columns = new ArrayList<>();
    version.path("additionalPrinterColumns").forEach(c -> columns.add(new Column(c.get("name").asText(), c.get("jsonPath").asText())));
    return new Crd(names.get("kind").asText(), spec.get("group").asText() + "/" + version.get("name").asText(), List.copyOf(resourceNames),
        List.copyOf(columns), version.get("schema").get("openAPIV3Schema"));
  }

  Optional<Crd> byKind(String kind) {
    return crds.stream().filter(c -> c.kind().equals(kind)).findFirst();
  }

  /** The resource {@code kubectl get NAME} lists, if it is one of ours. */
  Optional<Crd> byResourceName(String name) {
    return crds.stream().filter(c -> c.isCalled(name)).findFirst();
  }
}
