package dev.lustrecsi.sanity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Removing what the suite made on disk, without ever reaching into a mounted volume. */
final class Directories {
  private Directories() {}

  /**
   * Removes {@code top} and the directories below it, bottom up, but no files: a directory that
   * still holds a file (or is a mount point, which rmdir refuses) is left in place. Returns the
   * paths that could not be removed.
   */
  static List<Path> removeEmptyTree(Path top) {
    List<Path> left = new ArrayList<>();
    if (!Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
      return left;
    }
    try {
      Files.walkFileTree(top, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          // Do not descend into a mounted volume: its content is the volume's, not ours.
          if (!dir.equals(top) && MountInfo.isMountPoint(dir)) {
            left.add(dir);
            return FileVisitResult.SKIP_SUBTREE;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          left.add(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
          try {
            Files.delete(dir);
          } catch (DirectoryNotEmptyException notEmpty) {
            // something below it stays; it is already reported
          } catch (IOException failed) {
            left.add(dir);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up " + top, e);
    }
    return left;
  }

  /** Deletes {@code top} with everything in it. Only for trees nothing is mounted in. */
  static void deleteTree(Path top) {
    if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(top, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("sanity: could not delete " + top + ": " + e.getMessage());
    }
  }
}
