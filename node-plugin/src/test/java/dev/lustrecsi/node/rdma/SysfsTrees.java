package dev.lustrecsi.node.rdma;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The sysfs and procfs fixture trees under test resources sysfs/NAME/{sys,proc}, read in place or copied to be changed. */
public final class SysfsTrees {
  private SysfsTrees() {}

  /** The fixture tree, read-only. */
  public static Path tree(String name) {
    try {
      return Path.of(SysfsTrees.class.getResource("/sysfs/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A writable copy of a fixture tree under {@code dir}, so a test can change the node under the running plugin. */
  public static Path copy(String name, Path dir) {
    Path from = tree(name);
    Path to = dir.resolve(name);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(from.relativize(file).toString()));
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A scanner of the tree's sys/ and proc/. */
  public static SysfsNetworkScanner scanner(Path tree) {
    return new SysfsNetworkScanner(tree.resolve("sys"), tree.resolve("proc"));
  }

  /** Replaces a sysfs attribute's value, as the kernel shows it: one line. */
  public static void write(Path file, String line) {
    try {
      Files.writeString(file, line + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
