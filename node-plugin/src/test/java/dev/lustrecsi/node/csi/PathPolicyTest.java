package dev.lustrecsi.node.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathPolicyTest {
  @TempDir Path kubelet;

  @Test
  void acceptsPathsInsideTheRoots() {
    PathPolicy policy = new PathPolicy(List.of(kubelet), kubelet.resolve("lustre-mounts"));
    String path = kubelet + "/pods/uid/volumes/kubernetes.io~csi/pvc-1/mount";
    assertThat(policy.check(path, "target_path")).isEqualTo(Path.of(path));
    assertThat(policy.check(kubelet + "/plugins/staging/", "staging_target_path")).isEqualTo(kubelet.resolve("plugins/staging"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"relative/path", "/etc", "/etc/kubelet", "ROOT", "ROOT/../etc", "ROOT/a/../../etc", "ROOT//double", "ROOT/./dot"})
  void refusesPathsThatEscape(String template) {
    PathPolicy policy = new PathPolicy(List.of(kubelet), kubelet.resolve("lustre-mounts"));
    String path = template.replace("ROOT", kubelet.toString());
    assertThatThrownBy(() -> policy.check(path, "target_path"))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("target_path");
        });
  }

  /** The chart's layout: the plugin's mount root lies inside kubelet's directory, an allowed root. */
  @ParameterizedTest
  @ValueSource(strings = {"MOUNTS", "MOUNTS/fs2", "MOUNTS/fs2/pvc-x", "ROOT/plugins/lustre-csi", "ROOT/plugins", "ROOT/link-to-mounts/fs2"})
  void refusesTheMountRootAndPathsInsideOrAboveIt(String template) throws Exception {
    Path mounts = Files.createDirectories(kubelet.resolve("plugins/lustre-csi/mounts"));
    Files.createSymbolicLink(kubelet.resolve("link-to-mounts"), mounts);
    PathPolicy policy = new PathPolicy(List.of(kubelet), mounts);
    String path = template.replace("MOUNTS", mounts.toString()).replace("ROOT", kubelet.toString());
    assertThatThrownBy(() -> policy.check(path, "staging_target_path"))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("staging_target_path: ").contains("the plugin's mount root " + mounts);
        });
    assertThat(policy.check(kubelet + "/plugins/lustre-csi/staging/pvc-x", "staging_target_path")).as("beside the mount root").isNotNull();
  }

  @Test
  void refusesASymlinkLeadingOut(@TempDir Path elsewhere) throws Exception {
    Files.createSymbolicLink(kubelet.resolve("link"), elsewhere);
    PathPolicy policy = new PathPolicy(List.of(kubelet), kubelet.resolve("lustre-mounts"));
    assertThatThrownBy(() -> policy.check(kubelet + "/link/target", "target_path")).isInstanceOf(CsiException.class);
  }

  @Test
  void answersWithTheRealPathWhereALinkStaysInside() throws Exception {
    Path staged = Files.createDirectories(kubelet.resolve("plugins/staging-b"));
    Files.createSymbolicLink(kubelet.resolve("link"), staged);
    PathPolicy policy = new PathPolicy(List.of(kubelet), kubelet.resolve("lustre-mounts"));
    assertThat(policy.check(kubelet + "/link/sub", "target_path")).as("where the kernel would mount").isEqualTo(staged.toRealPath().resolve("sub"));
    Files.createSymbolicLink(kubelet.resolve("root-link"), kubelet);
    assertThatThrownBy(() -> policy.check(kubelet + "/root-link", "target_path")).as("the allowed root itself, through a link")
        .isInstanceOf(CsiException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ROOT/\u0000", "\u0000", "a\u0000b", "ROOT/x\ny", "ROOT/\u001b[2J"})
  void aNulOrControlCharacterIsInvalidArgumentNeverAnException(String template) {
    PathPolicy policy = new PathPolicy(List.of(kubelet), kubelet.resolve("lustre-mounts"));
    String path = template.translateEscapes().replace("ROOT", kubelet.toString());
    assertThatThrownBy(() -> policy.check(path, "volume_path"))
        .isInstanceOfSatisfying(CsiException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getMessage()).startsWith("volume_path: ");
        });
  }

  @Test
  void requiresThePath() {
    assertThatThrownBy(() -> new PathPolicy(List.of(kubelet), kubelet.resolve("lustre-mounts")).check("", "staging_target_path"))
        .hasMessage("staging_target_path: is required");
  }
}
