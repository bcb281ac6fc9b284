package dev.lustrecsi.controller.filesystem;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The LustreFilesystem CustomResourceDefinition, built from the model. deploy/crds holds its
 * YAML; a test fails when the two differ and rewrites the file when asked.
 */
public final class LustreFilesystemCrd {
  private LustreFilesystemCrd() {}

  private static List<com.fasterxml.jackson.databind.JsonNode> texts(String... values) {
    return java.util.Arrays.stream(values).<com.fasterxml.jackson.databind.JsonNode>map(com.fasterxml.jackson.databind.node.TextNode::new).toList();
  }

  public static CustomResourceDefinition definition() {
    Map<String, UnaryOperator<JSONSchemaPropsBuilder>> spec = new java.util.HashMap<>(Map.of(
        "fsName", s -> s.withPattern("^[A-Za-z0-9_-]{1,8}$").withDescription("The Lustre fsname: 1 to 8 characters of [A-Za-z0-9_-]."),
        "ostsPerOss", s -> s.withMinimum(1.0).withMaximum(16.0),
        "ostCount", s -> s.withMinimum(1.0).withDescription("OSTs wanted; the controller raises it as volumes are asked for."),
        "maxOsts", s -> s.withMinimum(1.0),
        "overcommit", s -> s.withMinimum(1.0),
        "serverCpu", s -> s.withMinimum(1.0),
        "retention", s -> s.withEnum(texts("Retain", "Delete"))
            .withDescription("What deleting the resource does to target disks (PVCs): Retain (default) or Delete."),
        "lnetNetworks[]", s -> s.withEnum(texts("tcp", "o2ib")),
        "storageNetwork", s -> s.withRequired("networkAttachmentDefinition", "cidr"),
        "serverImage", s -> s.withDescription("The containerDisk image of the server VMs. Changing it replaces them one at a time"
            + " (OSSes, then the MDS, then the MGS), each after the one before is back; status.upgrade shows the progress.")));
    spec.putAll(Map.of(
        "drain", s -> s.withDescription("Indexes of OSTs to empty and remove. They stop counting towards ostCount: lower it to shrink,"
            + " leave it to have each replaced."),
        "drain[]", s -> s.withMinimum(0.0).withMaximum(65535.0),
        "drainBatchFiles", s -> s.withMinimum(1.0).withDescription("Files migrated off each draining OST per reconcile pass (default 100).")));
    var specSchema = CrdSchemas.of(LustreFilesystemSpec.class, spec);
    specSchema.setRequired(List.of("fsName", "serverImage", "ostSize", "storageNetwork"));
    var statusSchema = CrdSchemas.of(LustreFilesystemStatus.class, Map.of());
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("lustrefilesystems." + LustreFilesystem.GROUP).endMetadata()
        .withNewSpec()
        .withGroup(LustreFilesystem.GROUP)
        .withScope("Namespaced")
        .withNewNames()
        .withKind("LustreFilesystem").withPlural("lustrefilesystems").withSingular("lustrefilesystem").withShortNames("lustrefs")
        .withCategories("lustre")
        .endNames()
        .addNewVersion()
        .withName(LustreFilesystem.VERSION).withServed(true).withStorage(true)
        .withNewSubresources().withNewStatus().endStatus().endSubresources()
        .addNewAdditionalPrinterColumn().withName("Phase").withType("string").withJsonPath(".status.phase").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("OSTs").withType("integer").withJsonPath(".status.ostCount").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Capacity").withType("string").withJsonPath(".status.capacity").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Used").withType("string").withJsonPath(".status.used").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Fill").withType("string").withJsonPath(".status.fill")
            .withDescription("Used bytes as a percentage of the usable OST capacity").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Draining").withType("string").withJsonPath(".status.draining")
            .withDescription("OSTs being drained, each with its step and the files left on it").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Health").withType("string").withJsonPath(".status.health").endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Upgrade").withType("string").withJsonPath(".status.upgrade.progress")
            .withDescription("The rolling upgrade of the server VMs: servers back on the new image / all, and the one being replaced")
            .endAdditionalPrinterColumn()
        .addNewAdditionalPrinterColumn().withName("Age").withType("date").withJsonPath(".metadata.creationTimestamp").endAdditionalPrinterColumn()
        .withNewSchema().withNewOpenAPIV3Schema()
        .withType("object")
        .addToProperties("spec", specSchema)
        .addToProperties("status", statusSchema)
        .withRequired("spec")
        .endOpenAPIV3Schema().endSchema()
        .endVersion()
        .endSpec()
        .build();
  }
}
