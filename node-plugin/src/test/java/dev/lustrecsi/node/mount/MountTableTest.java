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
    // All four share one device number; only source, root and peer group tell them apart.
    assertThat(fs.peerGroup()).isEqualTo(61);
    assertThat(at(entries, "/tmp/b1").isTakenFrom(fs)).as("bind of /mnt/lfs/vols/a").isTrue();
    assertThat(at(entries, "/tmp/m1").isTakenFrom(fs)).as("fileset mount: its own client stack").isFalse();
    assertThat(at(entries, "/tmp/b2").isTakenFrom(fs)).as("bind of the fileset mount").isFalse();
    assertThat(at(entries, "/tmp/b2").showsSameAs(at(entries, "/tmp/m1"))).isTrue();
  }

  @Test
  void aSecondClientMountOfTheSameFilesystemAndItsBindsAreNotTakenFromOurs() throws IOException {
    List<MountEntry> entries = MountTable.parse(fixture("mountinfo_second_client_mount.txt"));
    MountEntry ours = at(entries, "/var/lib/kubelet/plugins/lustre.csi.lustrecsi.dev/mounts/lfs");
    MountEntry admins = at(entries, "/mnt/lfs");
    assertThat(admins.source()).isEqualTo(ours.source());
    assertThat(admins.root()).isEqualTo(ours.root());
    assertThat(admins.isTakenFrom(ours)).as("the admin's own client mount").isFalse();
    assertThat(at(entries, "/srv/vols-b").isTakenFrom(ours)).as("a bind of the admin's mount, same root as a volume").isFalse();
    assertThat(at(entries, "/srv/vols-b").isTakenFrom(admins)).isTrue();
  }

  @Test
  void withoutAPeerGroupEveryMountOfTheSourceCounts() {
    // A private filesystem mount gives the kernel no link to its binds: keeping it beats unmounting a mount in use.
    List<MountEntry> entries = MountTable.parse("""
        30 1 0:50 / /m/fs rw - lustre 10.0.0.1@tcp:/fs rw
        31 1 0:50 /a /k/a rw - lustre 10.0.0.1@tcp:/fs rw
        32 1 0:50 / /mnt/other rw shared:7 - lustre 10.0.0.1@tcp:/fs rw
        """);
    assertThat(entries.getFirst().peerGroup()).isZero();
    assertThat(entries.get(1).isTakenFrom(entries.getFirst())).isTrue();
    assertThat(entries.get(2).isTakenFrom(entries.getFirst())).isTrue();
  }

  @Test
  void decodesEscapedPathsAndReadsReadOnly() {
    String line = "36 35 98:0 /my\\040dir /mnt/with\\040space ro,noatime master:1 - ext3 /dev/root rw,errors=continue\n";
    MountEntry entry = MountTable.parse(line).getFirst();
    assertThat(entry.root()).isEqualTo("/my dir");
    assertThat(entry.mountPoint()).isEqualTo(Path.of("/mnt/with space"));
    assertThat(entry.readOnly()).isTrue();
    assertThat(entry.options()).isEqualTo("ro,noatime");
    assertThat(entry.peerGroup()).as("a slave (master:1) is not in a peer group of its own").isZero();
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
