package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.ExternalSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's {@code externalFilesystems} values become LustreFilesystems with spec.external that
 * the controller accepts as they are (docs/existing-filesystems.md); by default there are none.
 */
class ExternalFilesystemChartTest {
  @Test
  void theExampleRendersAFilesystemTheControllerAccepts() throws Exception {
    Rendered rendered = ChartRenderer.render(RepoLayout.chartExamples().resolve("external-filesystem.yaml"), Map.of());
    LustreFilesystem filesystem = rendered.one(LustreFilesystem.class);
    assertThat(filesystem.getMetadata().getName()).isEqualTo("lfs");
    assertThat(filesystem.getSpec().fsName()).isEqualTo("lfs");
    assertThat(filesystem.getSpec().runBySite()).isTrue();
    ExternalSpec site = ExternalSpec.of(filesystem.getSpec().external());
    assertThat(site).isEqualTo(new ExternalSpec("10.99.0.1@tcp", "", "lustre-mgmt.example.org", 9443, "k8s/volumes", 0.8,
        2_000_000_000, 2_000_999_999));
  }

  /** Names YAML would read as a boolean, a number or null stay the strings they are. */
  @Test
  void fsNamesThatLookLikeOtherYamlValuesStayNames(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    List<String> names = List.of("on", "no", "y", "null", "2024");
    StringBuilder values = new StringBuilder("externalFilesystems:\n");
    for (String name : names) {
      values.append("  - fsName: \"").append(name).append("\"\n    mgsNids: 10.99.0.1@tcp\n    agentAddress: mgmt:9443\n");
    }
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("values.yaml"), values);
    List<LustreFilesystem> filesystems = ChartRenderer.render(file, Map.of()).all(LustreFilesystem.class);
    assertThat(filesystems).extracting(f -> f.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(names);
    assertThat(filesystems).extracting(f -> f.getSpec().fsName()).containsExactlyInAnyOrderElementsOf(names);
  }

  @Test
  void noneByDefault() {
    assertThat(ChartRenderer.renderDefaults().all(LustreFilesystem.class)).isEmpty();
  }
}
