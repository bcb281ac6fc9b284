package dev.lustrecsi.controller.volume.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.nio.file.Files;
import dev.lustrecsi.controller.filesystem.GeneratedCrdFiles;
import org.junit.jupiter.api.Test;

/**
 * deploy/crds holds the LustreVolume CRD as the model defines it, like CrdFilesTest does for
 * LustreFilesystem. When the model changes, rerun with {@code -Dcrds.update=true} and commit.
 */
class LustreVolumeCrdTest {
  @Test
  void crdFileMatchesTheModel() throws Exception {
    GeneratedCrdFiles.assertCommitted(LustreVolumeCrd.definition());
  }

  @Test
  void crdMatchesTheAnnotatedClassAndShowsItsColumns() {
    CustomResourceDefinition crd = LustreVolumeCrd.definition();
    LustreVolume model = new LustreVolume();
    assertThat(crd.getSpec().getGroup() + "/" + crd.getSpec().getVersions().getFirst().getName()).isEqualTo(model.getApiVersion());
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo(model.getKind());
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(model.getPlural());
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("lustrevol");
    var version = crd.getSpec().getVersions().getFirst();
    assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getName())
        .containsExactly("Filesystem", "Capacity", "State", "Source", "Age");
    var spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getProperties()).containsKeys("name", "fsName", "directory", "capacityBytes", "striping", "projectId", "state", "parameters");
    assertThat(spec.getProperties().get("parameters").getItems().getSchema().getProperties()).containsKeys("name", "value");
    assertThat(spec.getProperties().get("source").getRequired()).containsExactly("kind", "id", "lustreSnapshot", "directory", "phase");
    assertThat(spec.getProperties().get("source").getProperties().get("phase").getEnum()).hasSize(4);
  }

  @Test
  void objectNamesAreTheCsiNameWhenKubernetesAcceptsIt() {
    assertThat(VolumeObjects.objectName("pvc-1b2c3d4e-aaaa-bbbb-cccc-0123456789ab")).isEqualTo("pvc-1b2c3d4e-aaaa-bbbb-cccc-0123456789ab");
    assertThat(VolumeObjects.objectName("a.b-c")).isEqualTo("a.b-c");
    assertThat(VolumeObjects.objectName("PVC-1")).matches("vol-[0-9a-f]{40}");
    assertThat(VolumeObjects.objectName("-a")).matches("vol-[0-9a-f]{40}");
    assertThat(VolumeObjects.objectName("a".repeat(253))).isEqualTo("a".repeat(253));
    assertThat(VolumeObjects.objectName("a".repeat(254))).matches("vol-[0-9a-f]{40}");
    assertThat(VolumeObjects.objectName("PVC-1")).isNotEqualTo(VolumeObjects.objectName("PVC-2"));
  }
}
