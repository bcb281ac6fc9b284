package dev.lustrecsi.controller.parameters;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/storageclass-parameters.md holds the code's own parameter table. After changing a
 * parameter, rerun with {@code -Dparameters.update=true} to rewrite the table, and commit.
 */
class ParameterDocsTest {
  private static final Path DOCS = Path.of("../docs/storageclass-parameters.md");

  @Test
  void theDocsListExactlyTheParametersTheCodeAccepts() throws Exception {
    String docs = Files.readString(DOCS);
    if (Boolean.getBoolean("parameters.update")) {
      int begin = docs.indexOf(ParameterDocs.BEGIN);
      int end = docs.indexOf(ParameterDocs.END) + ParameterDocs.END.length();
      docs = docs.substring(0, begin) + ParameterDocs.markdownTable() + docs.substring(end);
      Files.writeString(DOCS, docs);
    }
    assertThat(docs)
        .as("docs/storageclass-parameters.md is out of date: rerun this test with -Dparameters.update=true")
        .contains(ParameterDocs.markdownTable());
  }
}
