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
    Map<String, UnaryOperator<JSONSchemaPropsBuilder>> refinements = Map.of(
        "name", s -> s.withMinLength(1L).withDescription("The CO's name for the snapshot (CreateSnapshot's name)."),
        "fsName", s -> s.withPattern("^[A-Za-z0-9_-]{1,8}$"),
        "sourceDirectory", s -> s.withMinLength(1L).withDescription("The source volume's directory; with fsName, its volume id."),
        "lustreSnapshot", s -> s.withPattern("^[A-Za-z0-9_.:][A-Za-z0-9_.:-]{0,199}$")
            .withDescription("The ZFS snapshot name every target of the filesystem holds the Lustre snapshot under; CSI snapshots may share one."),
        "sizeBytes", s -> s.withMinimum(0.0),
        "size", s -> s.withDescription("sizeBytes, readable; informational only."),
        "creationSeconds", s -> s.withMinimum(0.0).withDescription("When the Lustre snapshot was taken (seconds since the epoch); 0 until READY."),
        "state", s -> s.withEnum(List.of(TextNode.valueOf("CREATING"), TextNode.valueOf("READY"), TextNode.valueOf("DELETING"))),
        "groupSnapshot", s -> s.withDescription("The group snapshot this snapshot belongs to (its id is fsName@groupSnapshot); absent for a snapshot of its own."));
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
