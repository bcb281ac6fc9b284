package dev.lustrecsi.agent.service;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.DirectoryAccess;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.charset.StandardCharsets;

/**
 * Volume directories under the client mount point, where a request's relative path may never
 * lead outside: no absolute paths, no "." or ".." or empty components, no component that is a
 * symlink. Pods write into their volumes and may plant symlinks there; the agent runs as root on
 * a Lustre server, so a path that followed one could create or delete anywhere.
 */
final class VolumeDirectories {
  private static final int MAX_COMPONENT_BYTES = 255;

  private final Path mount;

  VolumeDirectories(Path mount) {
    this.mount = mount.toAbsolutePath().normalize();
  }

  Path mount() {
    return mount;
  }

  /**
   * Checks a request's relative directory without looking at the filesystem: what can be said of
   * a directory in a snapshot before the snapshot is mounted.
   */
  void checkSyntax(String field, String directory) {
    walk(field, directory, false);
  }

  /** The absolute path of a request's relative directory, checked; nothing is created. */
  Path resolve(String field, String directory) {
    return walk(field, directory, true);
  }

  private Path walk(String field, String directory, boolean refuseSymlinks) {
    if (directory == null || directory.isEmpty()) {
      throw CsiException.missing(field);
    }
    if (directory.startsWith("/")) {
      throw CsiException.invalidArgument(field, "\"" + directory + "\" must be relative to the filesystem root");
    }
    Path path = mount;
    for (String component : directory.split("/", -1)) {
      if (component.isEmpty() || component.equals(".") || component.equals("..")) {
        throw CsiException.invalidArgument(field, "\"" + directory + "\" may not contain empty, \".\" or \"..\" components");
      }
      if (component.indexOf('\0') >= 0 || component.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
        throw CsiException.invalidArgument(field, "\"" + directory + "\" has a component that is not a file name");
      }
      path = path.resolve(component);
      if (refuseSymlinks && Files.isSymbolicLink(path)) {
        throw CsiException.invalidArgument(field, "\"" + directory + "\" passes through the symlink " + mount.relativize(path));
      }
    }
    return path;
  }

  /**
   * Creates the directory one component at a time, checking each with no link following: a
   * symlink swapped in after {@link #resolve} is caught before anything is created beneath it.
   */
  Path create(String field, String directory) throws IOException {
    Path target = resolve(field, directory);
    Path path = mount;
    for (Path component : mount.relativize(target)) {
      path = path.resolve(component);
      try {
        Files.createDirectory(path);
      } catch (FileAlreadyExistsException exists) {
        // Ensure is idempotent: an existing directory is what we want, anything else is refused below.
      }
      if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        throw CsiException.invalidArgument(field, "\"" + directory + "\": " + mount.relativize(path) + " exists and is not a directory");
      }
    }
    return target;
  }

  /**
   * Gives a volume directory its owner and mode, by number and with no link followed (the
   * directory was made by {@link #create}, but a pod could have swapped in a symlink since). The
   * owner goes first: chown may clear set-id bits that the mode then sets.
   */
  void giveAccess(Path directory, DirectoryAccess access) throws IOException {
    Files.setAttribute(directory, "unix:uid", (int) access.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(directory, "unix:gid", (int) access.gid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(directory, "unix:mode", access.mode(), LinkOption.NOFOLLOW_LINKS);
  }

  /** Removes the directory and everything in it; symlinks inside are removed, never followed. Absent is fine. */
  boolean delete(String field, String directory) throws IOException {
    Path target = resolve(field, directory);
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw CsiException.invalidArgument(field, "\"" + directory + "\" is not a directory");
    }
    Files.walkFileTree(target, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // removed by someone else meanwhile: the goal is reached
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
    return true;
  }
}
