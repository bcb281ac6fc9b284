package dev.lustrecsi.controller.snapshot.kubernetes;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.lustrecsi.controller.filesystem.CrdSchemas;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The LustreSnapshot CustomResourceDefinition, built from the model. deploy/crds holds its YAML; a
 * test fails when the two differ and rewrites the file when asked.
 */
public final class LustreSnapshotCrd {
  private LustreSnapshotCrd() {}

  public static CustomResourceDefinition definition() {
    Map<String, UnaryOperator<JSONSchemaPropsBuilder>> refinements = Map.ofEntries(
        Map.entry("name", s -> s.withMinLength(1L).withDescription("The CO's name for the snapshot (CreateSnapshot's name).")),
        Map.entry("fsName", s -> s.withPattern("^[A-Za-z0-9_-]{1,8}$")),
        Map.entry("sourceDirectory", s -> s.withMinLength(1L).withDescription("The source volume's directory; with fsName, its volume id.")),
        Map.entry("lustreSnapshot", s -> s.withPattern("^[A-Za-z0-9_.:][A-Za-z0-9_.:-]{0,199}$")
            .withDescription("The ZFS snapshot name every target of the filesystem holds the Lustre snapshot under; CSI snapshots may share one.")),
        Map.entry("sizeBytes", s -> s.withMinimum(0.0)),
        Map.entry("size", s -> s.withDescription("sizeBytes, readable; informational only.")),
        Map.entry("creationSeconds", s -> s.withMinimum(0.0).withDescription("When the Lustre snapshot was taken (seconds since the epoch); 0 until READY.")),
        Map.entry("state", s -> s.withEnum(List.of(TextNode.valueOf("CREATING"), TextNode.valueOf("READY"), TextNode.valueOf("DELETING")))),
        Map.entry("groupSnapshot", s -> s.withDescription("The group snapshot this snapshot belongs to (its id is fsName@groupSnapshot); absent for a snapshot of its own.")),
        Map.entry("lastRequested", s -> s.withDescription("When a CreateSnapshot last asked for the snapshot (RFC 3339). A snapshot still CREATING that"
            + " no call has asked for in the controller's --abandoned-after is withdrawn; absent in older records, which count from"
            + " metadata.creationTimestamp.")));
    var specSchema = CrdSchemas.of(LustreSnapshotSpec.class, refinements);
    specSchema.setRequired(List.of("name", "fsName", "sourceDirectory", "lustreSnapshot", "sizeBytes", "creationSeconds", "state"));
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("lustresnapshots." + LustreFilesystem.GROUP).endMetadata()
        .withNewSpec()
        .withGroup(LustreFilesystem.GROUP)
        .withScope("Namespaced")
        .withNewNames()
        .withKind("LustreSnapshot").withPlural("lustresnapshots").withSingular("lustresnapshot").withShortNames("lustresnap")
        .withCategories("lustre")
        .endNames()
        .addNewVersion()
        .withName(LustreFilesystem.VERSION).withServed(true).withStorage(true)
        .addNewAdditionalPrinterColumn().withName("Filesystem").withType("string").withJsonPath(".spec.fsName").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Source").withType("string").withJsonPath(".spec.sourceDirectory").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Lustre snapshot").withType("string").withJsonPath(".spec.lustreSnapshot").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Size").withType("string").withJsonPath(".spec.size").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("State").withType("string").withJsonPath(".spec.state").endAdditionalPrinterColumn()
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
}
