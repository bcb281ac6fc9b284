package dev.lustrecsi.controller.volume.kubernetes;

import dev.lustrecsi.controller.filesystem.CrdSchemas;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The LustreVolume CustomResourceDefinition, built from the model. deploy/crds holds its YAML; a
 * test fails when the two differ and rewrites the file when asked.
 */
public final class LustreVolumeCrd {
  private LustreVolumeCrd() {}

  public static CustomResourceDefinition definition() {
    Map<String, UnaryOperator<JSONSchemaPropsBuilder>> refinements = Map.ofEntries(
        Map.entry("name", s -> s.withMinLength(1L).withDescription("The CO's name for the volume (CreateVolume's name).")),
        Map.entry("fsName", s -> s.withPattern("^[A-Za-z0-9_-]{1,8}$")),
        Map.entry("capacityBytes", s -> s.withMinimum(0.0)),
        Map.entry("capacity", s -> s.withDescription("capacityBytes, readable; informational only.")),
        Map.entry("state", s -> s.withEnum(List.of(text("CREATING"), text("READY"), text("DELETING")))),
        Map.entry("parameters[]", s -> s.withRequired("name", "value")),
        Map.entry("source", s -> s.withRequired("kind", "id", "lustreSnapshot", "directory", "phase")
            .withDescription("What the volume's content is copied from (CreateVolume's volume_content_source); absent for a volume made empty.")),
        Map.entry("source.kind", s -> s.withEnum(List.of(text("SNAPSHOT"), text("VOLUME")))),
        Map.entry("source.lustreSnapshot", s -> s.withDescription("The Lustre snapshot copied from: the CSI snapshot's, or one taken for a clone and destroyed after.")),
        Map.entry("source.phase", s -> s.withEnum(List.of(text("SNAPSHOTTING"), text("COPYING"), text("COPIED"), text("DONE")))),
        Map.entry("lastRequested", s -> s.withDescription("When a CreateVolume last asked for the volume (RFC 3339). A volume still"
            + " CREATING that none has asked for in the controller's --abandoned-after is withdrawn.")));
    var specSchema = CrdSchemas.of(LustreVolumeSpec.class, refinements);
    specSchema.setRequired(List.of("name", "fsName", "directory", "capacityBytes", "striping", "projectId", "state"));
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("lustrevolumes." + LustreFilesystem.GROUP).endMetadata()
        .withNewSpec()
        .withGroup(LustreFilesystem.GROUP)
        .withScope("Namespaced")
        .withNewNames()
        .withKind("LustreVolume").withPlural("lustrevolumes").withSingular("lustrevolume").withShortNames("lustrevol")
        .withCategories("lustre")
        .endNames()
        .addNewVersion()
        .withName(LustreFilesystem.VERSION).withServed(true).withStorage(true)
        .addNewAdditionalPrinterColumn().withName("Filesystem").withType("string").withJsonPath(".spec.fsName").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Capacity").withType("string").withJsonPath(".spec.capacity").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("State").withType("string").withJsonPath(".spec.state").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Source").withType("string").withJsonPath(".spec.source.id").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Age").withType("date").withJsonPath(".metadata.creationTimestamp").endAdditionalPrinterColumn()
        .withNewSchema().withNewOpenAPIV3Schema()
        .withType("object")
        .addToProperties("spec", specSchema)
        .withRequired("spec")
        .endOpenAPIV3Schema().endSchema()
        .endVersion()
        .endSpec()
        .build();
  }

  private static com.fasterxml.jackson.databind.JsonNode text(String value) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(value);
  }
}
