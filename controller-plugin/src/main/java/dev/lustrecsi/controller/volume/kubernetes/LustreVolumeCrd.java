package dev.lustrecsi.controller.volume.kubernetes;

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
        Map.entry("state", s -> s.withEnum(texts("CREATING", "READY", "DELETING"))),
        Map.entry("parameters[]", s -> s.withRequired("name", "value")),
        Map.entry("source", s -> s.withRequired("kind", "id", "lustreSnapshot", "directory", "phase")
            .withDescription("What the volume's content is copied from (CreateVolume's volume_content_source); absent for a volume made empty.")),
        Map.entry("source.kind", s -> s.withEnum(texts("SNAPSHOT", "VOLUME"))),
        Map.entry("source.lustreSnapshot", s -> s.withDescription("The Lustre snapshot copied from: the CSI snapshot's, or one taken for a clone and destroyed after.")),
        Map.entry("source.phase", s -> s.withEnum(texts("SNAPSHOTTING", "COPYING", "COPIED", "DONE"))),
        Map.entry("lastRequested", s -> s.withDescription("When a CreateVolume last asked for the volume (RFC 3339). A volume still"
            + " CREATING that none has asked for in the controller's --abandoned-after is withdrawn.")));
    var specSchema = CrdSchemas.of(LustreVolumeSpec.class, refinements);
    specSchema.setRequired(List.of("name", "fsName", "directory", "capacityBytes", "striping", "projectId", "state"));
    return CrdDefinitions.namespaced(new Names("LustreVolume", "lustrevolumes", "lustrevolume", "lustrevol"),
        List.of(
            Column.of("Filesystem", "string", ".spec.fsName"),
            Column.of("Capacity", "string", ".spec.capacity"),
            Column.of("State", "string", ".spec.state"),
            Column.of("Source", "string", ".spec.source.id")),
        specSchema, Optional.empty());
  }
}
