package dev.lustrecsi.sandbox.lustre;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.json.Json;
import dev.lustrecsi.common.volume.VolumeId;
import dev.lustrecsi.controller.lustre.DirectoryUsage;
import dev.lustrecsi.controller.lustre.FilesystemSpec;
import dev.lustrecsi.controller.lustre.FilesystemState;
import dev.lustrecsi.controller.lustre.LustreBackend;
import dev.lustrecsi.controller.parameters.Striping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated Lustre servers over local directories: what the sandbox puts where MGS, MDS and OSS
 * would be. Each filesystem is a directory holding its namespace ({@code root/}), its OSTs (a
 * capacity each, recorded in {@code filesystem.json}), each directory's layout and project id
 * ({@code layouts/}) and the project quotas ({@code quotas/}). Usage is what the files in a
 * project's directory add up to.
 *
 * <p>What it cannot do: this machine's kernel has no quota support, so a write past a volume's
 * quota is not refused as Lustre would refuse it with EDQUOT; the overrun shows in usage, in
 * statfs and as an abnormal volume condition. New OSTs can be made to take a while to come up
 * ({@code ostStartup}), so the controller's retry path runs as it would against slow VMs.
 */
public final class SimulatedLustre implements LustreBackend, SimulatedNamespaces {
  private static final ObjectMapper JSON = Json.mapper();

  private static final AtomicLong TEMPORARY_NAMES = new AtomicLong();

  private final Path root;
  private final Duration ostStartup;
  private final Clock clock;
  private final ConcurrentMap<String, Object> locks = new ConcurrentHashMap<>();

  /** A filesystem's server side, as stored. */
  record Filesystem(String fsName, long ostSize, int maxOsts, List<Ost> osts) {}

  /** One OST and when it finishes coming up (epoch millis). */
  record Ost(int index, long capacityBytes, long upAtMillis) {}

  /** A directory's layout and project, as lfs getstripe -d and lfs project would show them. */
  public record Layout(int stripeCount, long stripeSize, String pool, int projectId) {}

  public SimulatedLustre(Path root, Duration ostStartup, Clock clock) {
    this.root = root;
    this.ostStartup = ostStartup;
    this.clock = clock;
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public SimulatedLustre(Path root) {
    this(root, Duration.ZERO, Clock.systemUTC());
  }

  /** The directory a client mount of the filesystem shows. */
  @Override
  public Path namespace(String fsName) {
    return root.resolve(fsName).resolve("root");
  }

  @Override
  public FilesystemState ensureFilesystem(FilesystemSpec spec) {
    synchronized (lockFor(spec.fsName())) {
      Optional<Filesystem> existing = read(spec.fsName());
      if (existing.isPresent()) {
        return state(existing.get());
      }
      try {
        Files.createDirectories(namespace(spec.fsName()));
        Files.createDirectories(root.resolve(spec.fsName()).resolve("layouts"));
        Files.createDirectories(root.resolve(spec.fsName()).resolve("quotas"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Filesystem fs = new Filesystem(spec.fsName(), spec.ostSize(), spec.maxOsts(), List.of(newOst(0, spec.ostSize())));
      write(fs);
      return state(fs);
    }
  }

  @Override
  public Optional<FilesystemState> describe(String fsName) {
    return read(fsName).map(this::state);
  }

  @Override
  public FilesystemState ensureOstCount(String fsName, int ostCount) {
    synchronized (lockFor(fsName)) {
      Filesystem fs = read(fsName).orElseThrow(() -> CsiException.notFound("filesystem " + fsName + " does not exist"));
      if (ostCount > fs.maxOsts()) {
        throw CsiException.resourceExhausted("filesystem " + fsName + " may not grow past " + fs.maxOsts() + " OSTs");
      }
      List<Ost> osts = new ArrayList<>(fs.osts());
      // The next index follows the highest recorded one, never a count of what happens to be there.
      int next = osts.stream().mapToInt(Ost::index).max().orElse(-1) + 1;
      while (osts.size() < ostCount) {
        osts.add(newOst(next++, fs.ostSize()));
      }
      Filesystem grown = new Filesystem(fs.fsName(), fs.ostSize(), fs.maxOsts(), osts);
      write(grown);
      return state(grown);
    }
  }

  @Override
  public void ensureVolumeDirectory(VolumeId volume, Striping striping, int projectId, long quotaBytes) {
    Path directory = directory(volume);
    try {
      Files.createDirectories(directory);
      writeJson(layoutFile(volume), new Layout(striping.count(), striping.sizeBytes(), striping.pool(), projectId));
      writeJson(quotaFile(volume.fsName(), projectId), quotaBytes);
    } catch (IOException e) {
      throw CsiException.internal("cannot create volume directory " + volume + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void setQuota(VolumeId volume, int projectId, long quotaBytes) {
    try {
      writeJson(quotaFile(volume.fsName(), projectId), quotaBytes);
    } catch (IOException e) {
      throw CsiException.internal("cannot set quota of project " + projectId + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void deleteVolumeDirectory(VolumeId volume, int projectId) {
    try {
      deleteTree(directory(volume));
      Files.deleteIfExists(layoutFile(volume));
      Files.deleteIfExists(quotaFile(volume.fsName(), projectId));
    } catch (IOException e) {
      throw CsiException.internal("cannot delete volume directory " + volume + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<DirectoryUsage> usage(VolumeId volume, int projectId) {
    Path directory = directory(volume);
    if (!Files.isDirectory(directory)) {
      return Optional.empty();
    }
    long[] totals = walk(directory);
    return Optional.of(new DirectoryUsage(totals[0], quota(volume.fsName(), projectId), totals[1]));
  }

  @Override
  public boolean reachable() {
    return Files.isDirectory(root);
  }

  /** The layout recorded for a volume directory (lfs getstripe -d), if it has one. */
  public Optional<Layout> layout(VolumeId volume) {
    Path file = layoutFile(volume);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), Layout.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The project's hard block quota, 0 when none is set. */
  @Override
  public java.util.OptionalLong quotaBytes(VolumeId volume) {
    return layout(volume).map(l -> java.util.OptionalLong.of(quota(volume.fsName(), l.projectId()))).orElse(java.util.OptionalLong.empty());
  }

  public long quota(String fsName, int projectId) {
    Path file = quotaFile(fsName, projectId);
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      return JSON.readValue(file.toFile(), Long.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes and inodes under a directory, the directory itself counted as an inode. */
  static long[] walk(Path directory) {
    long[] totals = {0, 0};
    try {
      Files.walkFileTree(directory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          totals[1]++;
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          totals[0] += attrs.size();
          totals[1]++;
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE; // deleted while walking
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return totals;
  }

  private FilesystemState state(Filesystem fs) {
    long now = clock.millis();
    long used = usedBytes(fs.fsName());
    int count = fs.osts().size();
    List<FilesystemState.Ost> osts = fs.osts().stream()
        // The simulation does not place objects; it spreads usage evenly, as the allocator tends to.
        .map(o -> new FilesystemState.Ost(o.index(), o.capacityBytes(), used / count))
        .toList();
    boolean ready = fs.osts().stream().allMatch(o -> o.upAtMillis() <= now);
    return new FilesystemState(new FilesystemSpec(fs.fsName(), fs.ostSize(), fs.maxOsts(), 1.0, dev.lustrecsi.controller.parameters.ServerParameters.NONE), osts, ready, List.of());
  }

  private long usedBytes(String fsName) {
    Path namespace = namespace(fsName);
    return Files.isDirectory(namespace) ? walk(namespace)[0] : 0;
  }

  private Ost newOst(int index, long capacity) {
    return new Ost(index, capacity, clock.millis() + ostStartup.toMillis());
  }

  private Path directory(VolumeId volume) {
    return namespace(volume.fsName()).resolve(volume.directory());
  }

  private Path layoutFile(VolumeId volume) {
    return root.resolve(volume.fsName()).resolve("layouts").resolve(volume.directory() + ".json");
  }

  private Path quotaFile(String fsName, int projectId) {
    return root.resolve(fsName).resolve("quotas").resolve(projectId + ".json");
  }

  private Optional<Filesystem> read(String fsName) {
    Path file = root.resolve(fsName).resolve("filesystem.json");
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), Filesystem.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(Filesystem fs) {
    try {
      writeJson(root.resolve(fs.fsName()).resolve("filesystem.json"), fs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Replaces the file whole. The temporary name is unique per write from a counter, not from
   * {@code Files.createTempFile}, whose random names cost a SecureRandom draw on every volume.
   */
  private static void writeJson(Path file, Object value) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + "." + TEMPORARY_NAMES.incrementAndGet() + ".tmp");
    byte[] json = JSON.writeValueAsBytes(value);
    try {
      Files.write(temp, json);
    } catch (NoSuchFileException e) {
      // ensureFilesystem makes the parent directories; only a filesystem laid out by an older
      // version lacks one, and it is made once here (not checked on every write: a check costs
      // a system call and, when the directory exists, an exception).
      Files.createDirectories(file.getParent());
      Files.write(temp, json);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void deleteTree(Path top) throws IOException {
    try {
      // Most volume directories are empty when deleted: one rmdir, no walk.
      Files.deleteIfExists(top);
      return;
    } catch (DirectoryNotEmptyException e) {
      // walk it below
    }
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
  }

  private Object lockFor(String fsName) {
    return locks.computeIfAbsent(fsName, k -> new Object());
  }
}
