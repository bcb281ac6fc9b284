package dev.lustrecsi.node.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
  static String fixture(String name) throws IOException {
    try (InputStream in = MountTableTest.class.getResourceAsStream("/lustre-outputs/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static MountEntry at(List<MountEntry> entries, String mountPoint) {
    return entries.stream().filter(e -> e.mountPoint().equals(Path.of(mountPoint))).findFirst().orElseThrow();
  }

  @Test
  void parsesARealLustreClientMountTable() throws IOException {
    List<MountEntry> entries = MountTable.parse(fixture("mountinfo_subdir_and_bind.txt"));
    MountEntry fs = at(entries, "/mnt/lfs");
    assertThat(fs.fsType()).isEqualTo("lustre");
    assertThat(fs.source()).isEqualTo("10.99.0.1@tcp:/lfs");
    assertThat(fs.root()).isEqualTo("/");
    assertThat(fs.device()).isEqualTo("1803:286414");
    assertThat(at(entries, "/tmp/b1").root()).isEqualTo("/vols/a");
  }

  @Test
  void tellsABindOfTheFilesystemFromASeparateFilesetMount() throws IOException {
    List<MountEntry> entries = MountTable.parse(fixture("mountinfo_subdir_and_bind.txt"));
    MountEntry fs = at(entries, "/mnt/lfs");
    // All four share one device number; only source and root tell them apart.
    assertThat(at(entries, "/tmp/b1").isWithin(fs)).as("bind of /mnt/lfs/vols/a").isTrue();
    assertThat(at(entries, "/tmp/m1").isWithin(fs)).as("fileset mount: its own client stack").isFalse();
    assertThat(at(entries, "/tmp/b2").isWithin(fs)).as("bind of the fileset mount").isFalse();
    assertThat(at(entries, "/tmp/b2").showsSameAs(at(entries, "/tmp/m1"))).isTrue();
  }

  @Test
  void decodesEscapedPathsAndReadsReadOnly() {
    String line = "36 35 98:0 /my\\040dir /mnt/with\\040space ro,noatime master:1 - ext3 /dev/root rw,errors=continue\n";
    MountEntry entry = MountTable.parse(line).getFirst();
    assertThat(entry.root()).isEqualTo("/my dir");
    assertThat(entry.mountPoint()).isEqualTo(Path.of("/mnt/with space"));
    assertThat(entry.readOnly()).isTrue();
    assertThat(entry.options()).isEqualTo("ro,noatime");
  }

  @Test
  void skipsLinesThatAreNotMountinfo() {
    assertThat(MountTable.parse("garbage\n\n1 2 3\n")).isEmpty();
  }

  @Test
  void readsThisProcessTable() {
    assertThat(MountTable.ofThisProcess().at(Path.of("/proc"))).isPresent();
  }
}
