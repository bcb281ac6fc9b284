package dev.lustrecsi.controller.snapshot.kubernetes;

import static dev.lustrecsi.controller.filesystem.CrdDefinitions.texts;

import dev.lustrecsi.controller.filesystem.CrdDefinitions;
import dev.lustrecsi.controller.filesystem.CrdDefinitions.Column;
import dev.lustrecsi.controller.filesystem.CrdDefinitions.Names;
import dev.lustrecsi.controller.filesystem.CrdSchemas;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        Map.entry("state", s -> s.withEnum(texts("CREATING", "READY", "DELETING"))),
        Map.entry("groupSnapshot", s -> s.withDescription("The group snapshot this snapshot belongs to (its id is fsName@groupSnapshot); absent for a snapshot of its own.")),
        Map.entry("lastRequested", s -> s.withDescription("When a CreateSnapshot last asked for the snapshot (RFC 3339). A snapshot still CREATING that"
            + " no call has asked for in the controller's --abandoned-after is withdrawn; absent in older records, which count from"
            + " metadata.creationTimestamp.")));
    var specSchema = CrdSchemas.of(LustreSnapshotSpec.class, refinements);
    specSchema.setRequired(List.of("name", "fsName", "sourceDirectory", "lustreSnapshot", "sizeBytes", "creationSeconds", "state"));
    return CrdDefinitions.namespaced(new Names("LustreSnapshot", "lustresnapshots", "lustresnapshot", "lustresnap"),
        List.of(
            Column.of("Filesystem", "string", ".spec.fsName"),
            Column.of("Source", "string", ".spec.sourceDirectory"),
            Column.of("Lustre snapshot", "string", ".spec.lustreSnapshot"),
            Column.of("Size", "string", ".spec.size"),
            Column.of("State", "string", ".spec.state")),
        specSchema, Optional.empty());
  }
}
