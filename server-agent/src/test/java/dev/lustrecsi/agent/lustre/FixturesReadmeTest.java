package dev.lustrecsi.agent.lustre;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The parsers are only as good as their fixtures: each one says which Lustre produced it (or whose
 * format it was written in), so a format no 2.16.1 prints cannot pass for a capture again.
 */
class FixturesReadmeTest {
  /** A table row of the README: the file, then the Lustre it comes from. */
  private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([^|]+?) \\|", Pattern.MULTILINE);

  @Test
  void everyFixtureSaysWhichLustreProducedIt() throws IOException, URISyntaxException {
    Path dir = Path.of(Fixtures.class.getResource("/lustre-outputs/README.md").toURI()).getParent();
    Map<String, String> origin = new LinkedHashMap<>();
    Matcher row = ROW.matcher(Files.readString(dir.resolve("README.md")));
    while (row.find()) {
      origin.put(row.group(1), row.group(2).strip());
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".txt")))
          .allSatisfy(fixture -> assertThat(origin.get(fixture)).as("the Lustre of %s in README.md", fixture).matches(".*\\d+\\.\\d+.*"))
          .containsExactlyInAnyOrderElementsOf(origin.keySet());
    }
  }
}
