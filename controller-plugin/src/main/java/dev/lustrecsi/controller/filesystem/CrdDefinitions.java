package dev.lustrecsi.controller.filesystem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourcesBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the project's three custom resources have in common: the group and version, namespaced
 * scope, the {@code lustre} category, one stored version with a required spec, and printer columns
 * ending with the age. Each resource says only its names, its columns and its schemas.
 */
public final class CrdDefinitions {
  private static final Column AGE = Column.of("Age", "date", ".metadata.creationTimestamp");

  private CrdDefinitions() {}

  /** The names a resource is known by: {@code kubectl get <plural>|<singular>|<shortName>}. */
  public record Names(String kind, String plural, String singular, String shortName) {}

  /** A column of {@code kubectl get}; the description, when not null, is its header's tooltip. */
  public record Column(String name, String type, String jsonPath, String description) {
    public static Column of(String name, String type, String jsonPath) {
      return new Column(name, type, jsonPath, null);
    }

    CustomResourceColumnDefinition definition() {
      return new CustomResourceColumnDefinitionBuilder()
          .withName(name).withType(type).withJsonPath(jsonPath).withDescription(description).build();
    }
  }

  /**
   * The definition of a namespaced resource of the project's group. A status schema, when given,
   * is served as the status subresource, so only the controller's status writes change it.
   */
  public static CustomResourceDefinition namespaced(Names names, List<Column> columns, JSONSchemaProps spec, Optional<JSONSchemaProps> status) {
    var schema = new JSONSchemaPropsBuilder().withType("object").addToProperties("spec", spec);
    status.ifPresent(s -> schema.addToProperties("status", s));
    List<CustomResourceColumnDefinition> printed = Stream.concat(columns.stream(), Stream.of(AGE)).map(Column::definition).toList();
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(names.plural() + "." + LustreFilesystem.GROUP).endMetadata()
        .withNewSpec()
        .withGroup(LustreFilesystem.GROUP)
        .withScope("Namespaced")
        .withNewNames()
        .withKind(names.kind()).withPlural(names.plural()).withSingular(names.singular()).withShortNames(names.shortName())
        .withCategories("lustre")
        .endNames()
        .addNewVersion()
        .withName(LustreFilesystem.VERSION).withServed(true).withStorage(true)
        .withSubresources(status.isPresent() ? new CustomResourceSubresourcesBuilder().withNewStatus().endStatus().build() : null)
        .withAdditionalPrinterColumns(printed)
        .withNewSchema().withOpenAPIV3Schema(schema.withRequired("spec").build()).endSchema()
        .endVersion()
        .endSpec()
        .build();
  }

  /** The values of a string enum, as the schema holds them. */
  public static List<JsonNode> texts(String... values) {
    return Arrays.stream(values).<JsonNode>map(TextNode::valueOf).toList();
  }
}
