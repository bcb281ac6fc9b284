package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The images cannot be built here (no container engine), so what can be checked is checked: each
 * file a Containerfile copies is in the repository or produced by the build, and each build
 * context it mounts is documented in its header.
 */
class ContainerfileTest {
  /** Each Containerfile under deploy/images and the build context its header says to use. */
  static final Map<String, String> CONTEXTS = Map.of(
      "controller.Containerfile", "",
      "node.Containerfile", "",
      "server-vm/server-vm.Containerfile", "deploy/images/server-vm");

  @Test
  void everyContainerfileHasADeclaredBuildContext() throws IOException {
    assertThat(containerfiles()).extracting(p -> RepoLayout.images().relativize(p).toString())
        .containsExactlyInAnyOrderElementsOf(CONTEXTS.keySet());
  }

  @Test
  void everyCopiedFileIsInTheRepositoryOrProducedByTheBuild() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : containerfiles()) {
      Path context = RepoLayout.root().resolve(CONTEXTS.get(RepoLayout.images().relativize(file).toString()));
      Containerfile parsed = Containerfile.read(file);
      assertThat(parsed.copiedSources()).as("%s copies something", file.getFileName()).isNotEmpty();
      for (String source : parsed.copiedSources()) {
        Path path = context.resolve(source).normalize();
        if (!isCheckedIn(path) && producedBy(path).isEmpty()) {
          problems.add(file.getFileName() + ": " + source + " is neither in the repository nor built by Maven or a recipe");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theLauncherJarTheImagesCopyIsTheOneDistBuilds() {
    Path jar = RepoLayout.root().resolve("dist/target/lustre-csi.jar");
    assertThat(producedBy(jar)).hasValue("dist/pom.xml");
    assertThat(producedBy(RepoLayout.root().resolve("dist/target/other.jar"))).isEmpty();
  }

  @Test
  void buildContextsTheNodeImageMountsAreDocumentedInItsHeader() throws IOException {
    for (Path file : containerfiles()) {
      String text = Files.readString(file);
      for (String context : Containerfile.read(file).mountedContexts()) {
        assertThat(text).as("%s documents how to pass build context %s", file.getFileName(), context)
            .contains("--build-context " + context + "=");
      }
    }
    assertThat(Containerfile.read(RepoLayout.images().resolve("node.Containerfile")).mountedContexts())
        .containsExactly("lustre-debs");
  }

  @Test
  void controllerImageRunsUnprivilegedAsTheUidTheChartExpects() throws IOException {
    String text = Files.readString(RepoLayout.images().resolve("controller.Containerfile"));
    assertThat(text).contains("USER 10001:10001");
    assertThat(Files.readString(RepoLayout.chart().resolve("templates/controller-deployment.yaml")))
        .contains("runAsUser: 10001").contains("runAsGroup: 10001");
  }

  private static List<Path> containerfiles() throws IOException {
    try (Stream<Path> files = Files.walk(RepoLayout.images())) {
      return files.filter(p -> p.getFileName().toString().endsWith("Containerfile")).sorted().toList();
    }
  }

  /** In the working tree and not a build output. */
  private static boolean isCheckedIn(Path path) {
    Path relative = RepoLayout.root().relativize(path);
    boolean underTarget = false;
    for (Path part : relative) {
      underTarget |= part.toString().equals("target");
    }
    return !underTarget && Files.isRegularFile(path);
  }

  /**
   * The file that declares this path as its output: a Maven module's `MODULE/target/FINALNAME.jar`
   * (the module listed in the parent pom, with that finalName), or a recipe script's `OUTPUT=`.
   */
  static Optional<String> producedBy(Path path) {
    Path relative = RepoLayout.root().relativize(path);
    try {
      if (relative.getNameCount() == 3 && relative.getName(1).toString().equals("target")) {
        String module = relative.getName(0).toString();
        String parentPom = Files.readString(RepoLayout.root().resolve("pom.xml"));
        Path pom = RepoLayout.root().resolve(module).resolve("pom.xml");
        if (parentPom.contains("<module>" + module + "</module>") && Files.isRegularFile(pom)) {
          Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(Files.readString(pom));
          if (finalName.find() && relative.getName(2).toString().equals(finalName.group(1) + ".jar")) {
            return Optional.of(module + "/pom.xml");
          }
        }
      }
      Path recipe = path.resolveSibling("build.sh");
      if (Files.isRegularFile(recipe)
          && Files.readString(recipe).contains("\nOUTPUT=" + path.getFileName() + "\n")) {
        return Optional.of(RepoLayout.root().relativize(recipe).toString());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return Optional.empty();
  }
}
