package dev.lustrecsi.node.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second Lustre client mount of the same filesystem on the node (an admin's) shows the same
 * source and roots as the plugin's own mount, and its binds the same roots as volumes: none of it
 * is a volume of ours. Read from mountinfo_second_client_mount.txt; the commands are recorded.
 */
class SecondClientMountTest {
  static final Path MOUNT_ROOT = Path.of("/var/lib/kubelet/plugins/lustre.csi.lustrecsi.dev/mounts");
  static final Path STAGED = Path.of("/var/lib/kubelet/plugins/kubernetes.io/csi/lustre.csi.lustrecsi.dev/5c1a9e/globalmount");
  static final Path PUBLISHED = Path.of("/var/lib/kubelet/pods/0f6e2d1c/volumes/kubernetes.io~csi/pvc-a/mount");

  @TempDir Path dir;
  final RecordingRunner runner = RecordingRunner.succeeding();

  /** The fixture's mount table without the mounts at {@code gone}. */
  FilesystemMounts filesystemsWithout(Path... gone) throws IOException {
    List<String> dropped = Stream.of(gone).map(p -> " " + p + " ").toList();
    String lines = MountTableTest.fixture("mountinfo_second_client_mount.txt").lines()
        .filter(line -> dropped.stream().noneMatch(line::contains))
        .collect(Collectors.joining("\n", "", "\n"));
    Path mountinfo = Files.writeString(dir.resolve("mountinfo"), lines);
    return new FilesystemMounts(MOUNT_ROOT, new MountTable(mountinfo), null, new Mounter(runner));
  }

  @Test
  void onlyTheVolumesBoundFromOurMountAreUsers() throws IOException {
    FilesystemMounts filesystems = filesystemsWithout();
    MountEntry ours = filesystems.filesystemMounts().getFirst();
    assertThat(filesystems.users(ours)).extracting(MountEntry::mountPoint).containsExactlyInAnyOrder(STAGED, PUBLISHED);
    assertThat(filesystems.filesystemOf(new MountTable(dir.resolve("mountinfo")).at(Path.of("/srv/vols-b")).orElseThrow())).isEmpty();
    assertThat(Adoption.run(filesystems).adopted()).containsExactly("lfs");
    assertThat(runner.commands).isEmpty();
  }

  @Test
  void theLastUnstageReleasesOurMountBesideTheAdminsOne() throws IOException {
    filesystemsWithout(STAGED, PUBLISHED).releaseIfUnused("lfs");
    assertThat(runner.commands).containsExactly(List.of("umount", MOUNT_ROOT.resolve("lfs").toString()));
  }

  @Test
  void adoptionReleasesOurUnusedMountBesideTheAdminsOne() throws IOException {
    assertThat(Adoption.run(filesystemsWithout(STAGED, PUBLISHED)).adopted()).isEmpty();
    assertThat(runner.commands).containsExactly(List.of("umount", MOUNT_ROOT.resolve("lfs").toString()));
  }

  @Test
  void aHungMountThatOnlyTheAdminsMountSharesAFilesystemWithIsDetached() throws IOException {
    assertThat(filesystemsWithout(STAGED, PUBLISHED).detachIfUnused("lfs", "statfs did not answer within 5 s")).isTrue();
    assertThat(runner.commands).containsExactly(List.of("umount", "-l", MOUNT_ROOT.resolve("lfs").toString()));
  }
}
