package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.Striping;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies one directory tree into another, keeping what a restored volume must keep: directories,
 * regular files and symlinks (as links, never followed), their owner, group, mode and mtime,
 * their {@code user.*} xattrs (the target directory itself takes the source's owner, mode, time
 * and xattrs too), and each subdirectory's own default layout (set on the copy before
 * anything is made in it, since a layout applies to files created afterwards). Other file types
 * (devices, FIFOs, sockets) are skipped with a log line. Whatever the target holds under the same
 * name is replaced: a copy started again overwrites what an earlier one left.
 *
 * <p>Nothing is ever written outside the target: every path written is the target root plus
 * names read from the source's directories, each parent made here as a real directory, and
 * files are created with O_EXCL, which does not follow a symlink planted in their place. The
 * files made inherit the target directory's project id (its inherit flag is set).
 */
final class DirectoryCopy {
  private static final System.Logger LOG = System.getLogger(DirectoryCopy.class.getName());
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final int BUFFER = 1 << 20;

  /** Reads a directory's own default layout and gives a copied directory one: lfs getstripe -d / setstripe. */
  interface Layouts {
    Optional<Striping> defaultOf(Path directory) throws Exception;

    void apply(Path directory, Striping striping) throws Exception;
  }

  private final Path source;
  private final Path target;
  private final Layouts layouts;
  private final Clock clock;
  private final AtomicLong files = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private Instant lastReport;

  DirectoryCopy(Path source, Path target, Layouts layouts, Clock clock) {
    this.source = source;
    this.target = target;
    this.layouts = layouts;
    this.clock = clock;
  }

  long files() {
    return files.get();
  }

  long bytes() {
    return bytes.get();
  }

  /** Copies everything below the source into the target, which exists already (the new volume's directory). */
  void run() throws Exception {
    lastReport = clock.instant();
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(target + " is not a directory");
    }
    Deque<Path[]> directories = new ArrayDeque<>();
    Exception[] failure = {null};
    Files.walkFileTree(source, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Path copy = copyOf(dir);
        if (!dir.equals(source)) {
          makeDirectory(copy);
          try {
            Optional<Striping> layout = layouts.defaultOf(dir);
            if (layout.isPresent() && !layout.get().isDefault()) {
              layouts.apply(copy, layout.get());
            }
          } catch (Exception e) {
            failure[0] = e;
            return FileVisitResult.TERMINATE;
          }
          files.incrementAndGet();
        }
        directories.push(new Path[] {dir, copy});
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Path copy = copyOf(file);
        if (attrs.isSymbolicLink()) {
          replace(copy);
          Files.createSymbolicLink(copy, Files.readSymbolicLink(file));
          copyOwnerAndTime(file, copy, true);
        } else if (attrs.isRegularFile()) {
          replace(copy);
          copyContent(file, copy);
          copyXattrs(file, copy);
          copyOwnerAndTime(file, copy, false);
        } else {
          LOG.log(Level.INFO, "copy into " + target + ": skipping " + file + ", neither a directory, a regular file nor a symlink");
          return FileVisitResult.CONTINUE;
        }
        files.incrementAndGet();
        report(false);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Path[] pair = directories.pop();
        // Attributes after the contents: making entries inside changed the mtime, and a mode without
        // write would have stopped them. The target itself gets the source's too (a pod's chown of
        // its volume must survive a restore), all but its layout, which is the new volume's own.
        copyXattrs(pair[0], pair[1]);
        copyOwnerAndTime(pair[0], pair[1], false);
        return FileVisitResult.CONTINUE;
      }
    });
    if (failure[0] != null) {
      throw failure[0];
    }
    report(true);
  }

  /** The target path of a source path: the target root plus the names read from the source's directories. */
  private Path copyOf(Path path) {
    Path copy = target;
    for (Path name : source.relativize(path)) {
      copy = copy.resolve(name.toString());
    }
    return copy;
  }

  /** Makes a real directory; whatever else stands there (a file, a symlink) is removed first, never followed. */
  private static void makeDirectory(Path copy) throws IOException {
    if (Files.isDirectory(copy, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.deleteIfExists(copy);
    Files.createDirectory(copy);
  }

  /** Removes what stands where a file or link is to be made; a directory there is removed with its contents, links unfollowed. */
  private static void replace(Path copy) throws IOException {
    if (Files.isDirectory(copy, LinkOption.NOFOLLOW_LINKS)) {
      try (var paths = Files.walk(copy)) {
        for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
      return;
    }
    Files.deleteIfExists(copy);
  }

  private void copyContent(Path file, Path copy) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        OutputStream out = Files.newOutputStream(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buffer = new byte[BUFFER];
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        bytes.addAndGet(n);
        report(false);
      }
    }
  }

  /**
   * Owner, group, mode and mtime, by number and with no link followed: on a symlink only owner,
   * group and time (Linux has no mode of a link). Ids are copied as numbers, whether or not this
   * server knows names for them; the mode goes on after the owner, as chown clears set-id bits.
   */
  private static void copyOwnerAndTime(Path from, Path to, boolean link) throws IOException {
    java.util.Map<String, Object> attrs = Files.readAttributes(from, "unix:uid,gid,mode,lastModifiedTime,lastAccessTime", LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(to, "unix:uid", attrs.get("uid"), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(to, "unix:gid", attrs.get("gid"), LinkOption.NOFOLLOW_LINKS);
    if (!link) {
      Files.setAttribute(to, "unix:mode", (Integer) attrs.get("mode") & 07777, LinkOption.NOFOLLOW_LINKS);
    }
    Files.getFileAttributeView(to, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes((FileTime) attrs.get("lastModifiedTime"), (FileTime) attrs.get("lastAccessTime"), null);
  }

  /**
   * The {@code user.*} xattrs (the only namespace UserDefinedFileAttributeView reaches). A source
   * that cannot list them (a client mounted without user_xattr) has none to give; a target that
   * refuses one fails the copy, since a restore that silently drops data is worse than none.
   */
  private static void copyXattrs(Path from, Path to) throws IOException {
    UserDefinedFileAttributeView in = Files.getFileAttributeView(from, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    UserDefinedFileAttributeView out = Files.getFileAttributeView(to, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    java.util.List<String> names;
    try {
      names = in.list();
    } catch (FileSystemException unsupported) {
      return;
    }
    for (String name : names) {
      ByteBuffer value = ByteBuffer.allocate(in.size(name));
      in.read(name, value);
      value.flip();
      try {
        out.write(name, value);
      } catch (FileSystemException e) {
        throw new IOException("cannot set xattr user." + name + " on " + to + ": " + e.getMessage()
            + " (user xattrs need the filesystem mounted with -o user_xattr on this server)", e);
      }
    }
  }

  private void report(boolean done) {
    Instant now = clock.instant();
    if (done || Duration.between(lastReport, now).compareTo(PROGRESS_EVERY) >= 0) {
      lastReport = now;
      LOG.log(Level.INFO, "copy of " + source + " into " + target + (done ? " done: " : ": ") + files.get() + " files, " + bytes.get() + " bytes"
          + (done ? "" : " so far"));
    }
  }
}
