package dev.lustrecsi.kubevirt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The embedded API server answers a write naming a stale resourceVersion as an API server does: 409 Conflict, status included. */
class EmbeddedApiServerTest {
  private static final ResourceDefinitionContext FILESYSTEMS = new ResourceDefinitionContext.Builder()
      .withGroup("lustre.csi.lustrecsi.dev").withVersion("v1alpha1").withKind("LustreFilesystem").withPlural("lustrefilesystems")
      .withNamespaced(true).build();

  @Test
  void aStatusWriteNamingAnOldVersionIsAConflict() {
    try (EmbeddedApiServer api = EmbeddedApiServer.start("ns")) {
      var filesystems = api.client().genericKubernetesResources(FILESYSTEMS).inNamespace("ns");
      GenericKubernetesResource made = filesystems.resource(new GenericKubernetesResourceBuilder()
          .withApiVersion("lustre.csi.lustrecsi.dev/v1alpha1").withKind("LustreFilesystem")
          .withNewMetadata().withName("fs1").withNamespace("ns").endMetadata()
          .addToAdditionalProperties("spec", Map.of("fsName", "fs1")).build()).create();
      String first = made.getMetadata().getResourceVersion();

      made.setAdditionalProperty("status", Map.of("nextProjectId", 1064));
      GenericKubernetesResource written = filesystems.resource(made).updateStatus();
      assertThat(written.getMetadata().getResourceVersion()).isNotEqualTo(first);

      made.getMetadata().setResourceVersion(first);
      made.setAdditionalProperty("status", Map.of("nextProjectId", 1064));
      assertThatThrownBy(() -> filesystems.resource(made).updateStatus())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      assertThat(filesystems.withName("fs1").get().getAdditionalProperties().get("status")).isEqualTo(Map.of("nextProjectId", 1064));

      made.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
      made.setAdditionalProperty("status", Map.of("nextProjectId", 1128));
      filesystems.resource(made).updateStatus();
      assertThat(filesystems.withName("fs1").get().getAdditionalProperties().get("status")).isEqualTo(Map.of("nextProjectId", 1128));
    }
  }
}
