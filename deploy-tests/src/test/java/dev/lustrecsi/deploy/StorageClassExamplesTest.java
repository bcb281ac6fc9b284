package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lustrecsi.common.identity.PluginInfo;
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
 * The example StorageClasses, the chart's and those the docs show, must be ones the controller
 * accepts: their parameters go through the controller's own parser, their mount options through
 * the driver's own allow-list.
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

  @Test
  void everyStorageClassTheDocsShowPassesTheControllersParameterParser() throws Exception {
    int checked = 0;
    for (UserDocs.Page page : UserDocs.read().pages()) {
      for (UserDocs.Block block : page.blocks()) {
        for (JsonNode storageClass : ourStorageClasses(block)) {
          String label = page.name() + ": " + storageClass.path("metadata").path("name").asText();
          Map<String, String> parameters = new HashMap<>(YAML.convertValue(storageClass.path("parameters"), STRINGS));
          assertThatCode(() -> StorageClassParameters.parse(parameters)).as(label).doesNotThrowAnyException();
          List<String> mountOptions = storageClass.has("mountOptions")
              ? YAML.convertValue(storageClass.get("mountOptions"), LIST) : List.of();
          assertThatCode(() -> MountOptions.parse(mountOptions, "mountOptions")).as(label).doesNotThrowAnyException();
          checked++;
        }
      }
    }
    assertThat(checked).as("StorageClasses the docs show").isGreaterThanOrEqualTo(2);
  }

  @Test
  void aStorageClassTheDocsShowWithAParameterTheControllerRefusesIsCaught() throws Exception {
    UserDocs.Page page = UserDocs.parse("x.md", """
        ```yaml
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: s}
        provisioner: lustre.csi.lustrecsi.dev
        parameters: {fsName: lab, stripeCnt: "2"}
        ```
        """);
    JsonNode storageClass = ourStorageClasses(page.blocks().getFirst()).getFirst();
    Map<String, String> parameters = YAML.convertValue(storageClass.path("parameters"), STRINGS);
    assertThatCode(() -> StorageClassParameters.parse(parameters)).hasMessageContaining("stripeCnt");
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

  /** The StorageClasses of this driver in a YAML block, each document of it read on its own. */
  private static List<JsonNode> ourStorageClasses(UserDocs.Block block) throws Exception {
    if (!block.language().equals("yaml")) {
      return List.of();
    }
    List<JsonNode> classes = new java.util.ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(block.text())) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document.path("kind").asText().equals("StorageClass")
            && document.path("provisioner").asText().equals(PluginInfo.DRIVER_NAME)) {
          classes.add(document);
        }
      }
    }
    return classes;
  }

}
