package dev.lustrecsi.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The values a chart test runs with: the defaults, then every file in deploy/helm/examples. */
final class ValuesFiles {
  private ValuesFiles() {}

  static List<Path> examples() {
    try (Stream<Path> files = Files.list(RepoLayout.chartExamples())) {
      List<Path> found = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      if (found.isEmpty()) {
        throw new IllegalStateException("no example values files in " + RepoLayout.chartExamples());
      }
      return found;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Arguments (label, values file or null for the defaults) for a parameterized test. */
  static Stream<Arguments> defaultsAndExamples() {
    List<Arguments> all = new ArrayList<>();
    all.add(Arguments.of("defaults", null));
    for (Path file : examples()) {
      all.add(Arguments.of(file.getFileName().toString(), file));
    }
    return all.stream();
  }
}
