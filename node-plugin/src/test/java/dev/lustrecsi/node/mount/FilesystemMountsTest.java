package dev.lustrecsi.node.mount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.ProcessCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real mounts (the tests run as root): a private tmpfs whose source reads like a Lustre one
 * stands in for the server side, and "mounting Lustre" binds it.
 */
class FilesystemMountsTest {
  static final String SOURCE = "10.0.0.1@tcp:/fs1";

  @TempDir Path dir;
  Path server;
  Path mountRoot;
  final ProcessCommandRunner runner = new ProcessCommandRunner();
  final Mounter mounter = new Mounter(runner);
  final MountTable table = MountTable.ofThisProcess();
  FilesystemMounts mounts;

  /** Mounts the "server" directory where Lustre would be mounted. */
  final LustreClient client = new LustreClient() {
    @Override
    public void mount(LustreSource source, Path mountPoint, List<String> options) throws dev.lustrecsi.common.exec.CommandFailedException {
      mounter.bind(server, mountPoint, List.of());
    }

    @Override
    public String unavailableReason() {
      return null;
    }
  };

  @BeforeEach
  void setUp() throws Exception {
    server = Files.createDirectories(dir.resolve("server"));
    runner.runChecked(Command.of("mount", "-t", "tmpfs", "-o", "size=16m", SOURCE, server.toString()));
    // Private, so that nothing bound from it shares a peer group unless the plugin makes it so.
    runner.runChecked(Command.of("mount", "--make-private", server.toString()));
    Files.createDirectories(server.resolve("vol-a"));
    Files.createDirectories(server.resolve("vol-b"));
    mountRoot = dir.resolve("mounts");
    mounts = new FilesystemMounts(mountRoot, table, client, mounter);
  }

  @AfterEach
  void unmountEverything() throws Exception {
    List<MountEntry> left = table.entries().stream().filter(m -> m.mountPoint().startsWith(dir))
        .sorted(Comparator.comparingInt(MountEntry::id).reversed()).toList();
    for (MountEntry m : left) {
      runner.run(Command.of("umount", "-l", m.mountPoint().toString()));
    }
  }

  Path stage(String volume) {
    Path staging = dir.resolve("staging-" + volume);
    return mounts.withMounted(new LustreSource("fs1", List.of("10.0.0.1@tcp")), List.of(), fs -> {
      try {
        Files.createDirectories(staging);
        mounter.bind(mounts.mountPoint("fs1").resolve(volume), staging, List.of());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return staging;
    });
  }

  /** A volume id naming a filesystem its MGS does not know is a volume that does not exist, not a fault. */
  @Test
  void aFilesystemTheMgsDoesNotKnowIsNotFound() {
    LustreClient noSuchFilesystem = new LustreClient() {
      @Override
      public void mount(LustreSource source, Path mountPoint, List<String> options) throws dev.lustrecsi.common.exec.CommandFailedException {
        // mount.lustre's words for an fsname the MGS does not know (reference: mount_wrong_fsname.txt).
        throw new dev.lustrecsi.common.exec.CommandFailedException(new Command(List.of("mount", "-t", "lustre"), java.time.Duration.ZERO),
            "mount.lustre: mount 10.0.0.1@tcp:/nofs at " + mountPoint + " failed: No such file or directory\n"
                + "Is the MGS specification correct?\nIs the filesystem name correct?");
      }

      @Override
      public String unavailableReason() {
        return null;
      }
    };
    FilesystemMounts plugin = new FilesystemMounts(mountRoot, table, noSuchFilesystem, mounter);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> plugin.withMounted(new LustreSource("nofs", List.of("10.0.0.1@tcp")), List.of(),
            fs -> fs))
        .isInstanceOfSatisfying(dev.lustrecsi.common.error.CsiException.class,
            e -> assertThat(e.code()).isEqualTo(io.grpc.Status.Code.NOT_FOUND));
  }

  @Test
  void mountsOncePerFilesystemAndCountsUsersFromMountinfo() throws Exception {
    Path a = stage("vol-a");
    Path b = stage("vol-b");
    MountEntry fs = table.at(mounts.mountPoint("fs1")).orElseThrow();
    assertThat(table.entries().stream().filter(m -> m.mountPoint().equals(mounts.mountPoint("fs1")))).hasSize(1);
    assertThat(mounts.users(fs)).extracting(MountEntry::mountPoint).containsExactlyInAnyOrder(a, b);

    mounter.unmount(a);
    mounts.releaseIfUnused("fs1");
    assertThat(table.at(mounts.mountPoint("fs1"))).as("vol-b still uses it").isPresent();
    Files.writeString(b.resolve("still-works"), "yes");
    assertThat(server.resolve("vol-b/still-works")).hasContent("yes");

    mounter.unmount(b);
    mounts.releaseIfUnused("fs1");
    assertThat(table.at(mounts.mountPoint("fs1"))).isEmpty();
    assertThat(mounts.mountPoint("fs1")).doesNotExist();
  }

  @Test
  void aRestartedPluginReleasesOnlyOrphans() throws Exception {
    Path a = stage("vol-a");
    // A previous run also left fs2 mounted with no volume on it.
    Path orphan = Files.createDirectories(mountRoot.resolve("fs2"));
    mounter.bind(Files.createDirectories(dir.resolve("server2")), orphan, List.of());
    FilesystemMounts restarted = new FilesystemMounts(mountRoot, table, client, mounter);
    for (MountEntry m : restarted.filesystemMounts()) {
      restarted.releaseIfUnused(m.mountPoint().getFileName().toString());
    }
    assertThat(table.at(orphan)).isEmpty();
    assertThat(table.at(mounts.mountPoint("fs1"))).as("in use by a staged volume").isPresent();
    assertThat(table.at(a)).isPresent();
  }

  @Test
  void adoptionAtStartKeepsWhatIsUsedReleasesOrphansAndTidiesLeftovers() throws Exception {
    Path a = stage("vol-a");
    // A pod's bind of vol-b outlived its staging mount (kubelet unstages later): the filesystem is still in use.
    Path b = stage("vol-b");
    Path pod = Files.createDirectories(dir.resolve("pod-b"));
    mounter.bind(b, pod, List.of());
    mounter.unmount(b);
    // The previous run also left fs2 mounted with nothing on it, fs3 a bare mount point, fs4 a directory with a file in it.
    Path orphan = Files.createDirectories(mountRoot.resolve("fs2"));
    mounter.bind(Files.createDirectories(dir.resolve("server2")), orphan, List.of());
    Files.createDirectories(mountRoot.resolve("fs3"));
    Files.writeString(Files.createDirectories(mountRoot.resolve("fs4")).resolve("note"), "not ours to delete");

    Adoption.Report report = Adoption.run(new FilesystemMounts(mountRoot, table, client, mounter));

    assertThat(report.adopted()).containsExactly("fs1");
    assertThat(report.released()).containsExactly("fs2");
    assertThat(report.removedMountPoints()).containsExactly("fs3");
    assertThat(table.at(mounts.mountPoint("fs1"))).isPresent();
    assertThat(table.at(a)).isPresent();
    assertThat(table.at(pod)).isPresent();
    assertThat(table.at(orphan)).isEmpty();
    assertThat(orphan).doesNotExist();
    assertThat(mountRoot.resolve("fs4/note")).exists();
    Files.writeString(pod.resolve("after-restart"), "ok");
    assertThat(server.resolve("vol-b/after-restart")).hasContent("ok");

    // Once the pod is gone too, a second start releases fs1.
    mounter.unmount(a);
    mounter.unmount(pod);
    assertThat(Adoption.run(new FilesystemMounts(mountRoot, table, client, mounter)).released()).containsExactly("fs1");
    assertThat(table.at(mounts.mountPoint("fs1"))).isEmpty();
  }

  /** An admin's own client mount of the same filesystem, with a bind of its vol-a, as on a node where someone looks at the data. */
  Path secondClientMount() throws Exception {
    Path admin = Files.createDirectories(dir.resolve("admin"));
    runner.runChecked(Command.of("mount", "-t", "tmpfs", "-o", "size=1m", SOURCE, admin.toString()));
    Path adminsBind = Files.createDirectories(dir.resolve("admin-vol-a"));
    mounter.bind(Files.createDirectories(admin.resolve("vol-a")), adminsBind, List.of());
    MountEntry ours = table.at(mounts.mountPoint("fs1")).orElseThrow();
    MountEntry theirs = table.at(admin).orElseThrow();
    assertThat(List.of(theirs.source(), theirs.fsType(), theirs.root())).isEqualTo(List.of(ours.source(), ours.fsType(), ours.root()));
    assertThat(table.at(adminsBind).orElseThrow().root()).isEqualTo("/vol-a");
    return admin;
  }

  @Test
  void aSecondClientMountOfTheFilesystemIsNoUserAndTheLastUnstageReleasesOurs() throws Exception {
    Path a = stage("vol-a");
    Path admin = secondClientMount();
    assertThat(mounts.users(table.at(mounts.mountPoint("fs1")).orElseThrow())).extracting(MountEntry::mountPoint).containsExactly(a);

    mounter.unmount(a);
    mounts.releaseIfUnused("fs1");

    assertThat(table.at(mounts.mountPoint("fs1"))).isEmpty();
    assertThat(table.at(admin)).as("the admin's mount is not ours to touch").isPresent();
    assertThat(table.at(dir.resolve("admin-vol-a"))).isPresent();
  }

  @Test
  void adoptionBesideASecondClientMountReleasesOurUnusedMountAndDetachesAHungOne() throws Exception {
    Path a = stage("vol-a");
    secondClientMount();
    mounter.unmount(a); // as if kubelet unstaged while the plugin was down
    assertThat(Adoption.run(new FilesystemMounts(mountRoot, table, client, mounter)).released()).containsExactly("fs1");

    stage("vol-b");
    mounter.unmount(dir.resolve("staging-vol-b"));
    assertThat(mounts.detachIfUnused("fs1", "statfs did not answer")).as("a hung mount only the admin's shares a filesystem with").isTrue();
    assertThat(table.at(mounts.mountPoint("fs1"))).isEmpty();
  }

  @Test
  void aFilesystemIsFoundFromAnyMountThatShowsPartOfIt() throws Exception {
    Path a = stage("vol-a");
    assertThat(mounts.filesystemOf(table.at(a).orElseThrow())).contains("fs1");
    assertThat(mounts.filesystemOf(table.at(mounts.mountPoint("fs1")).orElseThrow())).contains("fs1");
    assertThat(mounts.filesystemOf(table.entries().getFirst())).isEmpty();
  }
}
