package dev.lustrecsi.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.agent.lustre.Striping;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy a restore makes, on real files: what it keeps, what it skips, and that nothing lands outside the target. */
class DirectoryCopyTest {
  @TempDir Path dir;
  Path source;
  Path target;
  Path outside;
  final Map<Path, Striping> sourceLayouts = new java.util.HashMap<>();
  final List<String> applied = new ArrayList<>();

  @BeforeEach
  void tree() throws Exception {
    source = Files.createDirectories(dir.resolve("snapshot/volumes/pvc-1"));
    target = Files.createDirectories(dir.resolve("live/volumes/pvc-2"));
    outside = Files.writeString(dir.resolve("outside"), "untouched");
  }

  DirectoryCopy copy() {
    return new DirectoryCopy(source, target, new DirectoryCopy.Layouts() {
      @Override
      public Optional<Striping> defaultOf(Path directory) {
        return Optional.ofNullable(sourceLayouts.get(directory));
      }

      @Override
      public void apply(Path directory, Striping striping) throws Exception {
        assertThat(Files.list(directory)).as("the layout goes on before anything is made in " + directory).isEmpty();
        applied.add(target.relativize(directory) + "=" + striping);
      }
    }, Clock.systemUTC());
  }

  static void xattr(Path path, String name, String value) throws Exception {
    Files.getFileAttributeView(path, UserDefinedFileAttributeView.class).write(name, StandardCharsets.UTF_8.encode(value));
  }

  static String xattr(Path path, String name) throws Exception {
    UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class);
    ByteBuffer buffer = ByteBuffer.allocate(view.size(name));
    view.read(name, buffer);
    return new String(buffer.array(), StandardCharsets.UTF_8);
  }

  @Test
  void ownersModesTimesXattrsLinksAndLayoutsAreKept() throws Exception {
    Path sub = Files.createDirectories(source.resolve("sub/deeper"));
    Path file = Files.writeString(source.resolve("sub/data"), "payload");
    Files.createSymbolicLink(source.resolve("sub/link"), Path.of("../../../outside"));
    Files.createSymbolicLink(source.resolve("abs"), outside);
    Files.setAttribute(file, "unix:uid", 1234);
    Files.setAttribute(file, "unix:gid", 5678);
    Files.setAttribute(file, "unix:mode", 02750);
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2020-01-02T03:04:05Z")));
    xattr(file, "user.origin", "lab-7");
    Files.setAttribute(sub, "unix:uid", 4321);
    Files.setPosixFilePermissions(source.resolve("sub"), PosixFilePermissions.fromString("r-xr-x---"));
    Files.setLastModifiedTime(source.resolve("sub"), FileTime.from(Instant.parse("2021-05-06T07:08:09Z")));
    xattr(source.resolve("sub"), "user.dir", "yes");
    sourceLayouts.put(source.resolve("sub"), new Striping(2, 4 << 20, ""));
    sourceLayouts.put(source, new Striping(8, 1 << 20, "flash"));
    Files.setAttribute(source, "unix:uid", 1000);
    Process fifo = new ProcessBuilder("mkfifo", source.resolve("pipe").toString()).start();
    assertThat(fifo.waitFor()).isZero();

    DirectoryCopy copy = copy();
    copy.run();

    Path copied = target.resolve("sub/data");
    assertThat(Files.readString(copied)).isEqualTo("payload");
    Map<String, Object> attrs = Files.readAttributes(copied, "unix:uid,gid,mode,lastModifiedTime");
    assertThat(attrs.get("uid")).isEqualTo(1234);
    assertThat(attrs.get("gid")).isEqualTo(5678);
    assertThat((Integer) attrs.get("mode") & 07777).isEqualTo(02750);
    assertThat(attrs.get("lastModifiedTime")).isEqualTo(FileTime.from(Instant.parse("2020-01-02T03:04:05Z")));
    assertThat(xattr(copied, "user.origin")).isEqualTo("lab-7");
    assertThat(Files.getAttribute(target.resolve("sub"), "unix:mode")).matches(m -> ((Integer) m & 0777) == 0550);
    assertThat(Files.getLastModifiedTime(target.resolve("sub"))).isEqualTo(FileTime.from(Instant.parse("2021-05-06T07:08:09Z")));
    assertThat(xattr(target.resolve("sub"), "user.dir")).isEqualTo("yes");
    assertThat(target.resolve("sub/deeper")).isDirectory();
    assertThat(Files.getAttribute(target.resolve("sub/deeper"), "unix:uid")).isEqualTo(4321);
    assertThat(Files.readSymbolicLink(target.resolve("sub/link"))).isEqualTo(Path.of("../../../outside"));
    assertThat(Files.readSymbolicLink(target.resolve("abs"))).isEqualTo(outside);
    assertThat(target.resolve("pipe")).as("a FIFO is skipped").doesNotExist();
    assertThat(applied).as("each subdirectory's own layout; the target's own was set by EnsureVolumeDirectory")
        .containsExactly("sub=" + new Striping(2, 4 << 20, ""));
    assertThat(copy.files()).as("sub, deeper, data, link, abs; not the FIFO").isEqualTo(5);
    assertThat(copy.bytes()).isEqualTo(7);
    assertThat(Files.getAttribute(target, "unix:uid")).as("the volume's own directory takes the source's owner").isEqualTo(1000);
    assertThat(Files.readString(outside)).isEqualTo("untouched");
  }

  @Test
  void aCopyOverwritesWhatIsThereWithoutFollowingLinksPlantedInTheTarget() throws Exception {
    Files.writeString(source.resolve("data"), "new");
    Files.createDirectories(source.resolve("d"));
    Files.writeString(source.resolve("d/inner"), "inner");
    Files.createSymbolicLink(target.resolve("data"), outside);
    Files.createSymbolicLink(target.resolve("d"), dir);
    Files.writeString(target.resolve("stale"), "left by an earlier copy");

    copy().run();

    assertThat(Files.readString(outside)).isEqualTo("untouched");
    assertThat(dir.resolve("inner")).doesNotExist();
    assertThat(Files.isSymbolicLink(target.resolve("data"))).isFalse();
    assertThat(Files.readString(target.resolve("data"))).isEqualTo("new");
    assertThat(Files.isDirectory(target.resolve("d"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(Files.readString(target.resolve("d/inner"))).isEqualTo("inner");
    copy().run();
    assertThat(Files.readString(target.resolve("data"))).as("copied again over itself").isEqualTo("new");
  }

  @Test
  void aTargetThatIsNotADirectoryFails() throws Exception {
    Files.delete(target);
    Files.createSymbolicLink(target, dir);
    assertThatThrownBy(() -> copy().run()).hasMessageContaining("is not a directory");
  }
}
