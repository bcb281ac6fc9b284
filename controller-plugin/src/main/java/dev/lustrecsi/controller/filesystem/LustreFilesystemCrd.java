package dev.lustrecsi.controller.filesystem;

import static dev.lustrecsi.controller.filesystem.CrdDefinitions.texts;

import dev.lustrecsi.controller.filesystem.CrdDefinitions.Column;
import dev.lustrecsi.controller.filesystem.CrdDefinitions.Names;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The LustreFilesystem CustomResourceDefinition, built from the model. deploy/crds holds its
 * YAML; a test fails when the two differ and rewrites the file when asked.
 */
public final class LustreFilesystemCrd {
  private LustreFilesystemCrd() {}

  private static Map.Entry<String, UnaryOperator<JSONSchemaPropsBuilder>> refine(String path, UnaryOperator<JSONSchemaPropsBuilder> refinement) {
    return Map.entry(path, refinement);
  }

  public static CustomResourceDefinition definition() {
    Map<String, UnaryOperator<JSONSchemaPropsBuilder>> spec = Map.ofEntries(
        refine("fsName", s -> s.withPattern("^[A-Za-z0-9_-]{1,8}$").withDescription("The Lustre fsname: 1 to 8 characters of [A-Za-z0-9_-].")),
        refine("ostsPerOss", s -> s.withMinimum(1.0).withMaximum(16.0)),
        refine("ostCount", s -> s.withMinimum(1.0).withDescription("OSTs wanted; the controller raises it as volumes are asked for.")),
        refine("maxOsts", s -> s.withMinimum(1.0)),
        refine("overcommit", s -> s.withMinimum(1.0)),
        refine("serverCpu", s -> s.withMinimum(1.0)),
        refine("retention", s -> s.withEnum(texts("Retain", "Delete"))
            .withDescription("What deleting the resource does to target disks (PVCs): Retain (default) or Delete.")),
        refine("lnetNetworks[]", s -> s.withEnum(texts("tcp", "o2ib"))),
        refine("storageNetwork", s -> s.withRequired("networkAttachmentDefinition", "cidr")),
        refine("serverImage", s -> s.withDescription("The containerDisk image of the server VMs. Changing it replaces them one at a time"
            + " (OSSes, then the MDS, then the MGS), each after the one before is back; status.upgrade shows the progress.")),
        refine("drain", s -> s.withDescription("Indexes of OSTs to empty and remove. They stop counting towards ostCount: lower it to shrink,"
            + " leave it to have each replaced.")),
        refine("drain[]", s -> s.withMinimum(0.0).withMaximum(65535.0)),
        refine("drainBatchFiles", s -> s.withMinimum(1.0).withDescription("Files migrated off each draining OST per reconcile pass (default 100).")),
        refine("external", s -> s.withRequired("agentAddress").withDescription("Set for a Lustre filesystem the site runs on its own servers:"
            + " no VMs or disks are made for it and it never grows; the agent on the site's management host reaches it."
            + " serverImage, ostSize and storageNetwork are then not used.")),
        refine("external.agentAddress", s -> s.withPattern("^.+:[0-9]{1,5}$").withDescription("HOST:PORT of the agent on the management host.")),
        refine("external.volumeRoot", s -> s.withMaxLength(200L).withDescription("Directory under the filesystem root volumes are made in"
            + " (default " + ExternalSpec.DEFAULT_VOLUME_ROOT + "); empty: the root.")),
        refine("external.overcommit", s -> s.withExclusiveMinimum(true).withMinimum(0.0)
            .withDescription("Share of the OST capacity volumes may commit (default 1.0): 0.5 is half, 2.0 twice.")),
        refine("external.projectIds.first", s -> s.withMinimum(1.0)),
        refine("external.projectIds.last", s -> s.withMinimum(1.0)));
    var specSchema = CrdSchemas.of(LustreFilesystemSpec.class, spec);
    // A filesystem of the driver's own also needs serverImage, ostSize and storageNetwork, an
    // external one does not: the reconciler refuses what is missing (InvalidSpec, naming the field).
    specSchema.setRequired(List.of("fsName"));
    var statusSchema = CrdSchemas.of(LustreFilesystemStatus.class, Map.of());
    return CrdDefinitions.namespaced(new Names("LustreFilesystem", "lustrefilesystems", "lustrefilesystem", "lustrefs"),
        List.of(
            Column.of("Phase", "string", ".status.phase"),
            Column.of("OSTs", "integer", ".status.ostCount"),
            Column.of("Capacity", "string", ".status.capacity"),
            Column.of("Used", "string", ".status.used"),
            new Column("Fill", "string", ".status.fill", "Used bytes as a percentage of the usable OST capacity"),
            new Column("Draining", "string", ".status.draining", "OSTs being drained, each with its step and the files left on it"),
            Column.of("Health", "string", ".status.health"),
            new Column("Upgrade", "string", ".status.upgrade.progress",
                "The rolling upgrade of the server VMs: servers back on the new image / all, and the one being replaced")),
        specSchema, Optional.of(statusSchema));
  }
}
