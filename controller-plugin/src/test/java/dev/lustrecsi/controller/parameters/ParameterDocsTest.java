package dev.lustrecsi.controller.parameters;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ParameterDocsTest {
  @Test
  void theDocsListExactlyTheParametersTheCodeAccepts() throws Exception {
    String docs = Files.readString(Path.of("../docs/storageclass-parameters.md"));
    assertThat(docs)
        .as("docs/storageclass-parameters.md is out of date: replace its generated table with the output of ParameterDocs")
        .contains(ParameterDocs.markdownTable());
  }
}
