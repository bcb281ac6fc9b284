package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.lustrecsi.common.volume.MountOptions;
import dev.lustrecsi.controller.parameters.ParameterDefinition;
import dev.lustrecsi.controller.parameters.StorageClassParameters;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The example StorageClasses must be ones the controller accepts: their parameters go through the
 * controller's own parser, their mount options through the driver's own allow-list.
 */
class StorageClassExamplesTest {

  @Test
  void everyExampleStorageClassPassesTheControllersParameterParser() {
    int checked = 0;
    for (Path example : ValuesFiles.examples()) {
      for (StorageClass storageClass : ChartRenderer.render(example, Map.of()).all(StorageClass.class)) {
        Map<String, String> parameters = new HashMap<>(storageClass.getParameters());
        String label = example.getFileName() + ": " + storageClass.getMetadata().getName();
        assertThatCode(() -> StorageClassParameters.parse(parameters)).as(label).doesNotThrowAnyException();
        List<String> mountOptions = storageClass.getMountOptions() == null ? List.of() : storageClass.getMountOptions();
        assertThatCode(() -> MountOptions.parse(mountOptions, "mountOptions")).as(label).doesNotThrowAnyException();
        checked++;
      }
    }
    assertThat(checked).as("StorageClasses in the examples").isGreaterThanOrEqualTo(3);
  }
}
