package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.sandbox.lustre.SimulatedServers.Filesystem;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Layout;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Project;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the files in a simulated namespace add up to, per project and per OST. A file belongs to
 * the project of its nearest tagged directory (new files inherit, lfs project -r tagged the old
 * ones) and is striped RAID-0 by its nearest directory layout over the OSTs, starting at an OST
 * picked by a hash of its path, as the MDS's allocator spreads new files.
 */
final class NamespaceUsage {
  /** 4 MiB: Lustre's default stripe size since 2.16. */
  static final long DEFAULT_STRIPE_SIZE = 4L << 20;
  /** Every inode takes a block on the MDT. */
  static final long MDT_KIB_PER_INODE = 4;

  record ProjectUsage(long bytes, long inodes) {}

  private final Map<Long, long[]> projects = new HashMap<>();
  private final Map<Integer, Long> ostBytes = new HashMap<>();
  private long inodes;

  private NamespaceUsage() {}

  /** Walks the namespace; {@code ostIndexes} are the OSTs that objects are placed on, in index order. */
  static NamespaceUsage of(Path namespace, Filesystem fs, List<Integer> ostIndexes) {
    NamespaceUsage usage = new NamespaceUsage();
    if (!Files.isDirectory(namespace)) {
      return usage;
    }
    try {
      Files.walkFileTree(namespace, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          usage.inodes++;
          Project project = nearest(fs.projects(), namespace, dir);
          if (project != null) {
            usage.projects.computeIfAbsent(project.id(), k -> new long[2])[1]++;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          usage.inodes++;
          Project project = nearest(fs.projects(), namespace, file.getParent());
          if (project != null) {
            long[] totals = usage.projects.computeIfAbsent(project.id(), k -> new long[2]);
            totals[0] += attrs.size();
            totals[1]++;
          }
          usage.place(namespace.relativize(file).toString(), attrs.size(), nearest(fs.layouts(), namespace, file.getParent()), ostIndexes,
              fs.objects());
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE; // removed while walking
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return usage;
  }

  ProjectUsage project(long id) {
    long[] totals = projects.getOrDefault(id, new long[2]);
    return new ProjectUsage(totals[0], totals[1]);
  }

  long ostBytes(int index) {
    return ostBytes.getOrDefault(index, 0L);
  }

  long inodes() {
    return inodes;
  }

  /**
   * The OSTs a new file's objects go on: as many as its layout's stripe count (-1: all), starting
   * at one picked by a hash of its path, as the MDS's allocator spreads new files.
   */
  static List<Integer> allocate(String relative, Layout layout, List<Integer> osts) {
    int count = layout == null || layout.stripeCount() == 0 ? 1 : layout.stripeCount() == -1 ? osts.size() : Math.min(layout.stripeCount(), osts.size());
    int start = Math.floorMod(relative.hashCode(), osts.size());
    List<Integer> chosen = new java.util.ArrayList<>();
    for (int slot = 0; slot < count; slot++) {
      chosen.add(osts.get((start + slot) % osts.size()));
    }
    return List.copyOf(chosen);
  }

  /** Spreads the file's bytes RAID-0 over its objects: the OSTs it was given, else those a new file would get now. */
  private void place(String relative, long size, Layout layout, List<Integer> osts, Map<String, List<Integer>> objects) {
    List<Integer> placed = objects.get(relative);
    if (placed == null) {
      if (osts.isEmpty()) {
        return;
      }
      placed = allocate(relative, layout, osts);
    }
    if (size == 0) {
      return;
    }
    int count = placed.size();
    long stripe = layout == null || layout.stripeSizeBytes() == 0 ? DEFAULT_STRIPE_SIZE : layout.stripeSizeBytes();
    long chunks = size / stripe;
    for (int slot = 0; slot < count; slot++) {
      long bytes = (chunks / count + (slot < chunks % count ? 1 : 0)) * stripe + (slot == chunks % count ? size % stripe : 0);
      ostBytes.merge(placed.get(slot), bytes, Long::sum);
    }
  }

  /** The value recorded for {@code dir} or its nearest ancestor within the namespace. */
  private static <T> T nearest(Map<String, T> byDirectory, Path namespace, Path dir) {
    for (Path p = dir; p != null && p.startsWith(namespace); p = p.getParent()) {
      T value = byDirectory.get(namespace.relativize(p).toString());
      if (value != null) {
        return value;
      }
    }
    return null;
  }
}
