package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.sandbox.lustre.SimulatedServers.Layout;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Project;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the simulated servers' ZFS and MGS hold for snapshots: each dataset's snapshots with the
 * user properties set on them, the configuration logs forked for snapshots, which snapshot pieces
 * are mounted where, and which snapshot clients are mounted. The snapshot of an MDT0 dataset
 * captures the filesystem's namespace as it is at that moment, a real copy of the files with
 * their owners, modes, times and xattrs, and the directories' layouts and projects, so a client
 * mount of the snapshot later shows the old data, as a ZFS snapshot would.
 */
final class SimulatedZfsSnapshots {
  /** A ZFS snapshot: when it was taken (seconds) and the properties set on it by {@code zfs snapshot -o}. */
  record ZfsSnapshot(long creationSeconds, Map<String, String> properties) {
    ZfsSnapshot {
      properties = Map.copyOf(properties);
    }
  }

  /** The namespace an MDT0 snapshot holds: a copy of its files, and its directories' layouts and projects. */
  record Captured(Path root, Map<String, Layout> layouts, Map<String, Project> projects) {
    Captured {
      layouts = Map.copyOf(layouts);
      projects = Map.copyOf(projects);
    }
  }

  /** A snapshot piece mounted on a server: which one ({@code dataset@name}), where, with which options. */
  record PieceMount(String server, String snapshot, Path mountPoint, List<String> options) {}

  /** A snapshot mounted as a client: its filesystem name, the source as given, and the captured snapshot it shows. */
  record ClientMount(String server, String source, String snapshotFsName, Path mountPoint, String capturedSnapshot, List<String> options) {}

  private final Path directory;
  /** dataset to snapshot name to snapshot, in the order taken. */
  private final Map<String, Map<String, ZfsSnapshot>> snapshots = new TreeMap<>();
  /** {@code dataset@name} of an MDT0 snapshot to what it captured. */
  private final Map<String, Captured> captured = new HashMap<>();
  /** Forked configurations: snapshot filesystem name to the filesystem it was forked from. */
  private final Map<String, String> forks = new HashMap<>();
  private final List<PieceMount> pieceMounts = new ArrayList<>();
  private final List<ClientMount> clientMounts = new ArrayList<>();

  /** @param directory where captured namespaces are copied to */
  SimulatedZfsSnapshots(Path directory) {
    this.directory = directory;
  }

  synchronized Map<String, ZfsSnapshot> of(String dataset) {
    return Map.copyOf(snapshots.getOrDefault(dataset, Map.of()));
  }

  /** The dataset's snapshots in the order taken. */
  synchronized List<Map.Entry<String, ZfsSnapshot>> ordered(String dataset) {
    return List.copyOf(snapshots.getOrDefault(dataset, Map.of()).entrySet());
  }

  synchronized Optional<ZfsSnapshot> get(String dataset, String name) {
    return Optional.ofNullable(snapshots.getOrDefault(dataset, Map.of()).get(name));
  }

  /**
   * Takes a snapshot; false when one of that name exists. With {@code namespace} (the dataset is
   * an MDT0), the namespace is captured as it is now.
   */
  synchronized boolean take(String dataset, String name, long creationSeconds, Map<String, String> properties, Capture namespace) {
    Map<String, ZfsSnapshot> ofDataset = snapshots.computeIfAbsent(dataset, d -> new LinkedHashMap<>());
    if (ofDataset.containsKey(name)) {
      return false;
    }
    if (namespace != null) {
      Path copy = directory.resolve(dataset.replace('/', '_') + "@" + name);
      copyTree(namespace.root(), copy);
      captured.put(dataset + "@" + name, new Captured(copy, namespace.layouts(), namespace.projects()));
    }
    ofDataset.put(name, new ZfsSnapshot(creationSeconds, properties));
    return true;
  }

  /** What an MDT0 snapshot captures: the live namespace's root and its directories' layouts and projects now. */
  record Capture(Path root, Map<String, Layout> layouts, Map<String, Project> projects) {}

  /** Destroys a snapshot and frees what it captured; false when there was none of that name. */
  synchronized boolean destroy(String dataset, String name) {
    Map<String, ZfsSnapshot> ofDataset = snapshots.get(dataset);
    if (ofDataset == null || ofDataset.remove(name) == null) {
      return false;
    }
    Captured gone = captured.remove(dataset + "@" + name);
    if (gone != null) {
      deleteTree(gone.root());
    }
    return true;
  }

  synchronized Optional<Captured> captured(String snapshot) {
    return Optional.ofNullable(captured.get(snapshot));
  }

  synchronized List<String> all() {
    List<String> all = new ArrayList<>();
    snapshots.forEach((dataset, ofDataset) -> ofDataset.keySet().forEach(name -> all.add(dataset + "@" + name)));
    return all;
  }

  /** Records a fork; false when the name has one already. */
  synchronized boolean fork(String fsName, String snapshotFsName) {
    return forks.putIfAbsent(snapshotFsName, fsName) == null;
  }

  /** Erases a fork; false when there was none. */
  synchronized boolean erase(String snapshotFsName) {
    return forks.remove(snapshotFsName) != null;
  }

  /** The filesystem a snapshot filesystem name was forked from. */
  synchronized Optional<String> forkedFrom(String snapshotFsName) {
    return Optional.ofNullable(forks.get(snapshotFsName));
  }

  /** Every snapshot filesystem name with a forked configuration. */
  synchronized java.util.Set<String> forks() {
    return java.util.Set.copyOf(forks.keySet());
  }

  synchronized List<PieceMount> pieceMounts() {
    return List.copyOf(pieceMounts);
  }

  synchronized List<ClientMount> clientMounts() {
    return List.copyOf(clientMounts);
  }

  synchronized void mounted(PieceMount mount) {
    pieceMounts.add(mount);
  }

  synchronized void mounted(ClientMount mount) {
    clientMounts.add(mount);
  }

  synchronized void unmounted(PieceMount mount) {
    pieceMounts.remove(mount);
  }

  synchronized void unmounted(ClientMount mount) {
    clientMounts.remove(mount);
  }

  /**
   * Copies a tree keeping what a ZFS snapshot keeps: contents, owners, modes, times and xattrs
   * (Files.copy with COPY_ATTRIBUTES does all four on Linux), symlinks as links. A directory's
   * times are set again after its contents are copied, since copying into it changed them.
   */
  private static void copyTree(Path from, Path to) {
    List<Path> directories = new ArrayList<>();
    try {
      Files.createDirectories(to.getParent());
      Files.walkFileTree(from, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
          Files.copy(dir, to.resolve(from.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
          directories.add(dir);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
          return FileVisitResult.CONTINUE;
        }
      });
      for (Path dir : directories) {
        FileTime modified = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS);
        Files.setLastModifiedTime(to.resolve(from.relativize(dir).toString()), modified);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot capture " + from + " in a snapshot", e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot free the captured copy " + root, e);
    }
  }
}
