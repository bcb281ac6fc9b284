package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.servers.ServerSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server image cannot be built here (no virt-customize, no Lustre packages), so its recipe
 * is checked against what the controller's cloud-init expects of it, read from {@link ServerSetup}
 * itself: once, the recipe built an ldiskfs Lustre 2.17 image with a jar the build never made,
 * while the setup script needed ZFS and started the launcher.
 */
class ServerImageRecipeTest {
  /** A top-level assignment of build.sh: {@code NAME=value}. */
  private static final Pattern ASSIGNMENT = Pattern.compile("^([A-Z_]+)=(\\S*)$", Pattern.MULTILINE);

  static Path recipeDir() {
    return RepoLayout.images().resolve("server-vm");
  }

  static String recipe() throws IOException {
    return Files.readString(recipeDir().resolve("build.sh"));
  }

  /** build.sh's upper-case settings, with references to earlier ones expanded. */
  static Map<String, String> settings() throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    Matcher assignment = ASSIGNMENT.matcher(recipe());
    while (assignment.find()) {
      String value = assignment.group(2).replaceAll("^\"|\"$", "");
      for (Map.Entry<String, String> earlier : settings.entrySet()) {
        value = value.replace("$" + earlier.getKey(), earlier.getValue());
      }
      settings.put(assignment.group(1), value);
    }
    return settings;
  }

  static List<String> words(String value) {
    return Arrays.stream(value.replace("\"", "").split("\\s+")).filter(w -> !w.isEmpty()).toList();
  }

  @Test
  void theImageCarriesTheLustreReleaseAndOsdTheSetupScriptFormatsWith() throws IOException {
    Map<String, String> settings = settings();
    assertThat(settings).containsEntry("LUSTRE_RELEASE", ServerSetup.LUSTRE_RELEASE).containsEntry("OSD", ServerSetup.OSD);
    // The OSD's kernel module and mount helper, and the OSD's own tools (zpool, zgenhostid).
    assertThat(words(quoted("SERVER_PACKAGES"))).contains("lustre", "kmod-lustre", "kmod-lustre-osd-" + ServerSetup.OSD,
        "lustre-osd-" + ServerSetup.OSD + "-mount", ServerSetup.OSD, "kmod-" + ServerSetup.OSD);
    assertThat(ServerSetup.script()).contains("--backfstype=" + ServerSetup.OSD);
    for (Path file : recipeFiles()) {
      assertThat(Files.readString(file)).as("%s names another OSD or release", file.getFileName()).doesNotContain("ldiskfs", "2.17");
    }
  }

  @Test
  void theAgentUnitStartsTheLauncherAndJarTheRecipeInstallsAndTheBuildProduces() throws IOException {
    Map<String, String> settings = settings();
    assertThat(settings).containsEntry("AGENT_HOME", ServerSetup.AGENT_HOME)
        .containsEntry("LAUNCHER", ServerSetup.LAUNCHER)
        .containsEntry("JAR", ServerSetup.JAR);
    // The default jar is the shaded one the dist module builds, installed under the name the agent unit gives.
    Matcher defaultJar = Pattern.compile("jar=\"\\$repo/([^\"]+)\"").matcher(recipe());
    assertThat(defaultJar.find()).as("build.sh's default --jar").isTrue();
    Path jar = RepoLayout.root().resolve(defaultJar.group(1));
    assertThat(ContainerfileTest.producedBy(jar)).hasValue("dist/pom.xml");
    assertThat(Path.of(ServerSetup.JAR).getFileName()).isEqualTo(jar.getFileName());
    // The launcher and the script it sources, from this repository, beside each other.
    assertThat(recipe()).contains("--copy-in \"$repo/bin/lustre-csi:$(dirname \"$LAUNCHER\")\"",
        "--copy-in \"$repo/bin/jdk.sh:$(dirname \"$LAUNCHER\")\"");
    assertThat(RepoLayout.root().resolve("bin/lustre-csi")).isRegularFile();
    assertThat(Files.readString(RepoLayout.root().resolve("bin/lustre-csi"))).contains("\"$here/bin/jdk.sh\"", "LUSTRE_CSI_JAR");
  }

  @Test
  void theImageIsCheckedWithTheSetupScriptTheControllerSends() throws IOException {
    String resource = ServerSetup.class.getPackageName().replace('.', '/') + "/" + ServerSetup.SCRIPT_RESOURCE;
    assertThat(settings()).containsEntry("SETUP_SCRIPT_IN_JAR", resource);
    assertThat(ServerSetup.class.getClassLoader().getResource(resource)).as("the script is in the jar").isNotNull();
    assertThat(recipe()).contains("bash /tmp/lustre-csi-setup --check-image");
    assertThat(ServerSetup.script()).contains("--check-image");
  }

  @Test
  void theImageShipsNoUnitOfItsOwnAndCarriesTheOnesCloudInitEnables() throws IOException {
    assertThat(words(quoted("IMAGE_UNITS"))).isEqualTo(ServerSetup.IMAGE_UNITS);
    // On EL9 each of these units comes with the package of its name.
    assertThat(words(quoted("GUEST_PACKAGES"))).containsAll(ServerSetup.IMAGE_UNITS.stream().map(u -> u.replace(".service", "")).toList());
    assertThat(recipeFiles()).noneMatch(f -> f.toString().endsWith(".service") || f.toString().endsWith(".timer"));
    assertThat(recipe()).doesNotContain("systemctl enable");
    for (String unit : List.of(ServerSetup.SETUP_SERVICE, ServerSetup.SETUP_TIMER, ServerSetup.CLIENT_MOUNT_SERVICE, ServerSetup.AGENT_SERVICE)) {
      assertThat(recipe()).as("cloud-init writes %s, not the image", unit).doesNotContain(unit);
    }
  }

  @Test
  void theRecipeNamesNoPackageHostOrDownloadAddress() throws IOException {
    for (Path file : recipeFiles()) {
      assertThat(Files.readString(file)).as(file.getFileName().toString()).doesNotContain("://");
    }
  }

  /** The value of a double-quoted setting. */
  private static String quoted(String name) throws IOException {
    Matcher setting = Pattern.compile("^" + name + "=\"([^\"]*)\"$", Pattern.MULTILINE).matcher(recipe());
    assertThat(setting.find()).as("build.sh sets %s", name).isTrue();
    return setting.group(1);
  }

  private static List<Path> recipeFiles() throws IOException {
    try (Stream<Path> files = Files.list(recipeDir())) {
      return files.sorted().toList();
    }
  }
}
