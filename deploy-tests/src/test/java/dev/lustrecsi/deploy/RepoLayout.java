package dev.lustrecsi.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checked-in deployment files live, found from wherever the tests run. */
final class RepoLayout {
  private RepoLayout() {}

  /** The repository root: the nearest directory upwards that holds the chart. */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy/helm/lustre-csi"))) {
        return p;
      }
    }
    throw new IllegalStateException("no deploy/helm/lustre-csi above " + dir);
  }

  static Path chart() {
    return root().resolve("deploy/helm/lustre-csi");
  }

  static Path chartExamples() {
    return root().resolve("deploy/helm/examples");
  }

  static Path manifestExamples() {
    return root().resolve("deploy/examples");
  }

  static Path apiCalls() {
    return root().resolve("deploy/api-calls.txt");
  }

  static Path generatedCrds() {
    return root().resolve("deploy/crds");
  }

  static Path images() {
    return root().resolve("deploy/images");
  }
}
