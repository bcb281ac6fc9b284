package dev.lustrecsi.node.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerMountFlagsTest {
  static MountEntry withOptions(String options) {
    return new MountEntry(40, 26, "254:0", "/pvc-a", Path.of("/staging"), options, "lustre", "10.1.0.10@tcp:/fs1", 1);
  }

  @Test
  void flagsAreReadAsMountinfoShowsThem() {
    assertThat(PerMountFlags.missing(withOptions("rw,relatime"), List.of("ro", "noexec", "nosuid"))).containsExactly("ro", "noexec", "nosuid");
    assertThat(PerMountFlags.missing(withOptions("ro,nosuid,nodev,noexec,relatime"), List.of("ro", "noexec", "nosuid", "nodev", "relatime"))).isEmpty();
    assertThat(PerMountFlags.missing(withOptions("rw,noatime"), List.of("noatime", "nodiratime"))).containsExactly("nodiratime");
  }

  @Test
  void strictatimeIsNeitherNoatimeNorRelatime() {
    assertThat(PerMountFlags.missing(withOptions("rw,relatime"), List.of("strictatime"))).containsExactly("strictatime");
    assertThat(PerMountFlags.missing(withOptions("rw"), List.of("strictatime"))).isEmpty();
  }
}
