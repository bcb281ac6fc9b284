package dev.lustrecsi.controller.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/crds holds the CRDs as the model defines them. When the model changes, rerun with
 * {@code -Dcrds.update=true} to rewrite the files, and commit them.
 */
class CrdFilesTest {
  @Test
  void lustreFilesystemCrdFileMatchesTheModel() throws Exception {
    GeneratedCrdFiles.assertCommitted(LustreFilesystemCrd.definition());
  }

  @Test
  void crdHasTheStatusSubresourceAndPrinterColumns() {
    var version = LustreFilesystemCrd.definition().getSpec().getVersions().getFirst();
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getName())
        .containsExactly("Phase", "OSTs", "Capacity", "Used", "Fill", "Draining", "Health", "Upgrade", "Age");
    var spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getProperties()).containsKeys("fsName", "serverImage", "ostSize", "ostsPerOss", "storageNetwork", "retention");
    assertThat(spec.getProperties().get("fsName").getPattern()).isEqualTo("^[A-Za-z0-9_-]{1,8}$");
    assertThat(spec.getProperties().get("storageNetwork").getProperties()).containsKeys("networkAttachmentDefinition", "cidr", "firstHost");
  }

  @Test
  void aRefinementOfAFieldTheModelLacksIsRefused() {
    assertThatThrownBy(() -> CrdSchemas.of(LustreFilesystemSpec.class, Map.of("fsname", s -> s.withPattern("x"))))
        .hasMessageContaining("has no fields [fsname]");
  }
}
