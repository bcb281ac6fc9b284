package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The chart installs CRDs from its own crds/ directory (Helm cannot reach files outside the
 * chart); the controller's code generates them into deploy/crds/. The two must say the same.
 */
class CrdSyncTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void chartCrdsEqualTheGeneratedOnes() throws IOException {
    Path generated = RepoLayout.generatedCrds();
    Assumptions.assumeTrue(Files.isDirectory(generated), "deploy/crds/ does not exist yet (the controller generates it): "
        + "the chart's crds/ are hand-written placeholders until then");
    List<Path> generatedFiles = yamlFiles(generated);
    Path chartCrds = RepoLayout.chart().resolve("crds");
    assertThat(yamlFiles(chartCrds)).extracting(p -> p.getFileName().toString())
        .as("the chart's crds/ holds the same files as deploy/crds/")
        .containsExactlyInAnyOrderElementsOf(generatedFiles.stream().map(p -> p.getFileName().toString()).toList());
    for (Path file : generatedFiles) {
      JsonNode expected = YAML.readTree(file.toFile());
      JsonNode actual = YAML.readTree(chartCrds.resolve(file.getFileName()).toFile());
      assertThat(actual).as("chart crds/%s differs from deploy/crds/%s: copy the generated file into the chart",
          file.getFileName(), file.getFileName()).isEqualTo(expected);
    }
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
    }
  }
}
