package dev.lustrecsi.controller.filesystem;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * deploy/crds holds each CRD as the model defines it. When a model changes, rerun its test with
 * {@code -Dcrds.update=true} to rewrite the file, and commit it (and its copy in the chart).
 */
public final class GeneratedCrdFiles {
  private static final Path DEPLOY_CRDS = Path.of("..", "deploy", "crds");

  private GeneratedCrdFiles() {}

  /** Fails unless deploy/crds holds exactly this CRD; rewrites the file first with -Dcrds.update=true. */
  public static void assertCommitted(CustomResourceDefinition crd) throws IOException {
    Path file = DEPLOY_CRDS.resolve(crd.getMetadata().getName() + "-v1.yml");
    String yaml = "# Generated from the Java model by the controller's CRD tests: do not edit by hand.\n" + Serialization.asYaml(crd);
    if (Boolean.getBoolean("crds.update")) {
      Files.createDirectories(DEPLOY_CRDS);
      Files.writeString(file, yaml);
    }
    assertThat(file).as("rerun with -Dcrds.update=true and commit the file").exists();
    assertThat(Files.readString(file)).as("rerun with -Dcrds.update=true and commit the file").isEqualTo(yaml);
  }
}
