package dev.lustrecsi.common.volume;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeIdTest {
  @Test
  void roundTripsThroughText() {
    VolumeId id = new VolumeId("fs1", "pvc-0a1b2c3d-4e5f-6789-abcd-ef0123456789");
    assertThat(VolumeId.parse(id.toString())).contains(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "fs1", "fs1/", "/dir", "fs1/../etc", "fs1/..", "fs1/.hidden", "fs1/a//b", "fs1/a/../b", "fs1/a/b/c/d/e", "fs1/a/", "toolongfs/dir", "fs1/-dash"})
  void rejectsWhatItDidNotIssue(String text) {
    assertThat(VolumeId.parse(text)).isEmpty();
  }

  @Test
  void keepsProvisionerNamesReadable() {
    assertThat(VolumeId.directoryFor("pvc-0a1b2c3d-4e5f-6789-abcd-ef0123456789")).isEqualTo("pvc-0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../../etc", "a/b", "..", ".", "name with spaces", "ünïcode", "-leading-dash", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void turnsAnyNameIntoOneSafeComponent(String name) {
    String directory = VolumeId.directoryFor(name);
    assertThat(VolumeId.parse("fs1/" + directory)).as(directory).isPresent();
    assertThat(directory).doesNotContain("/").isNotEqualTo("..").isNotEqualTo(".");
  }

  @Test
  void distinctNamesNeverShareADirectory() {
    assertThat(VolumeId.directoryFor("a b")).isNotEqualTo(VolumeId.directoryFor("a_b")).isNotEqualTo(VolumeId.directoryFor("a/b"));
  }

  @Test
  void aVolumeRootPrecedesTheVolumesComponent() {
    VolumeId id = VolumeId.under("fs1", "k8s/volumes", "pvc-1");
    assertThat(id.directory()).isEqualTo("k8s/volumes/pvc-1");
    assertThat(VolumeId.parse("fs1/k8s/volumes/pvc-1")).contains(id);
    assertThat(VolumeId.under("fs1", "", "pvc-1").directory()).isEqualTo("pvc-1");
    assertThat(VolumeId.isRoot("a/b/c")).isTrue();
    assertThat(VolumeId.isRoot("a/b/c/d")).isFalse();
    assertThat(VolumeId.isRoot("a/../b")).isFalse();
    assertThat(VolumeId.isRoot("/a")).isFalse();
  }

  @Test
  void theLongestIdFitsTheCsiSpecs128Bytes() {
    String root = "r".repeat(20) + "/" + "s".repeat(20) + "/" + "t".repeat(VolumeId.MAX_ROOT_LENGTH - 42);
    assertThat(VolumeId.isRoot(root)).isTrue();
    assertThat(VolumeId.isRoot(root + "u")).as("one character more").isFalse();
    VolumeId longest = VolumeId.under("fsname_8", root, "v".repeat(64));
    assertThat(longest.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(VolumeId.MAX_ID_BYTES);
  }
}
