package dev.lustrecsi.sandbox.lustre;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The state of simulated Lustre servers, kept under one directory so a restarted sandbox finds
 * its filesystems as it left them: servers (name, NID, up or down), and per filesystem its targets
 * (kind, index, owning server, capacity, mounted, recovery), each directory's default layout and
 * project, and each project's block limit. The namespace that clients see is a real directory
 * per filesystem ({@link #namespace}), and usage is what the files in it add up to.
 *
 * <p>The KubeVirt simulator drives it as a VM's boot would: {@link #addServer}, {@link #format}
 * once per target, {@link #mount}; a VM stopping hard is {@link #serverDown}. The Lustre commands
 * the agent runs read and change it through {@link SimulatedLustreCommands}.
 */
public final class SimulatedServers implements SimulatedNamespaces {
  private static final ObjectMapper JSON = Json.mapper()
      .enable(SerializationFeature.INDENT_OUTPUT);
  private static final String STATE_FILE = "servers.json";
  private static final String LOCK_FILE = "servers.lock";
  /** One lock per state directory in this JVM: a FileLock is held per process, not per thread. */
  private static final ConcurrentMap<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

  /** A server VM: its name, its NID on the storage network, and whether it is running. */
  public record Server(String name, String nid, boolean up) {}

  /**
   * A formatted target.
   *
   * @param registered whether it was ever mounted: only then does the MGS know it, and clients list it
   * @param crashed stopped while mounted, so its next mount starts recovery
   * @param recoveryStartMillis when its last recovery started; 0 when it never had clients to recover (INACTIVE)
   */
  public record Target(String fsName, TargetKind kind, int index, String server, long capacityKib, boolean mounted,
      boolean registered, boolean crashed, long recoveryStartMillis) {
    public TargetName name() {
      return kind == TargetKind.MGT ? TargetName.MGS : new TargetName(fsName, kind, index);
    }

    Target with(boolean mounted, boolean crashed, long recoveryStartMillis) {
      return new Target(fsName, kind, index, server, capacityKib, mounted, registered || mounted, crashed, recoveryStartMillis);
    }
  }

  /** A directory's default layout, as {@code lfs setstripe} left it. */
  public record Layout(int stripeCount, long stripeSizeBytes, String pool) {}

  /** A directory's project id and inherit flag, as {@code lfs project -p ID -s} left it. */
  public record Project(long id, boolean inherit) {}

  /** One filesystem's server-side state. Directory keys are paths relative to the namespace root. */
  public record Filesystem(String fsName, List<Target> targets, Map<String, Layout> layouts, Map<String, Project> projects,
      Map<Long, Long> blockLimitsKib) {}

  record State(Map<String, Server> servers, Map<String, Filesystem> filesystems) {}

  private final Path directory;
  private final Clock clock;
  private final Duration recoveryWindow;
  private State state;

  /**
   * @param recoveryWindow how long a target that crashed stays RECOVERING after it is mounted again
   */
  public SimulatedServers(Path directory, Clock clock, Duration recoveryWindow) {
    this.directory = directory;
    this.clock = clock;
    this.recoveryWindow = recoveryWindow;
    try {
      Files.createDirectories(directory);
      state = load();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read simulated Lustre state in " + directory, e);
    }
  }

  public SimulatedServers(Path directory) {
    this(directory, Clock.systemUTC(), Duration.ofSeconds(30));
  }

  Clock clock() {
    return clock;
  }

  Duration recoveryWindow() {
    return recoveryWindow;
  }

  /** The directory a client mount of the filesystem shows. */
  @Override
  public Path namespace(String fsName) {
    return directory.resolve("namespaces").resolve(fsName);
  }

  @Override
  public boolean reachable() {
    return Files.isDirectory(directory);
  }

  @Override
  public java.util.OptionalLong quotaBytes(dev.lustrecsi.common.volume.VolumeId volume) {
    return locked(() -> {
      Filesystem fs = state.filesystems().get(volume.fsName());
      Project project = fs == null ? null : fs.projects().get(volume.directory());
      if (project == null) {
        return java.util.OptionalLong.empty();
      }
      Long limitKib = fs.blockLimitsKib().get(project.id());
      return java.util.OptionalLong.of(limitKib == null ? 0 : limitKib * 1024);
    });
  }

  /** Registers a server VM. Its NID is fixed for life: Lustre records it in every target's configuration. */
  public void addServer(String name, String nid) {
    lockedRun(() -> {
      Server existing = state.servers().get(name);
      if (existing != null) {
        if (!existing.nid().equals(nid)) {
          throw new IllegalStateException("server " + name + " has NID " + existing.nid() + "; a server's NID never changes (asked for " + nid + ")");
        }
        return;
      }
      Map<String, Server> servers = new TreeMap<>(state.servers());
      servers.put(name, new Server(name, nid, true));
      save(new State(servers, state.filesystems()));
    });
  }

  /**
   * Formats a target on a server's disk, as mkfs.lustre would. A disk that already holds this
   * target is refused, as mkfs.lustre refuses a disk holding Lustre without --reformat: data is
   * never wiped by a second boot.
   */
  public void format(String server, String fsName, TargetKind kind, int index, long capacityBytes) {
    lockedRun(() -> {
      requireServer(server);
      if (kind == TargetKind.MGT && index != 0) {
        throw new IllegalArgumentException("the MGT has no index other than 0");
      }
      Filesystem fs = state.filesystems().get(fsName);
      if (fs != null && find(fs, kind, index).isPresent()) {
        Target existing = find(fs, kind, index).get();
        throw new IllegalStateException("mkfs.lustre: " + existing.name() + " on " + existing.server()
            + " already holds a Lustre filesystem; refusing to format it again (no --reformat)");
      }
      try {
        Files.createDirectories(namespace(fsName));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Filesystem base = fs != null ? fs : new Filesystem(fsName, List.of(), Map.of(), Map.of(), Map.of());
      List<Target> targets = new ArrayList<>(base.targets());
      targets.add(new Target(fsName, kind, index, server, Math.ceilDiv(capacityBytes, 1024), false, false, false, 0));
      targets.sort(Comparator.comparing(Target::kind).thenComparing(Target::index));
      putFilesystem(new Filesystem(fsName, targets, base.layouts(), base.projects(), base.blockLimitsKib()));
    });
  }

  /** Whether a target was formatted: what a VM's boot script checks before mkfs. */
  public boolean isFormatted(String fsName, TargetKind kind, int index) {
    return locked(() -> {
      return Optional.ofNullable(state.filesystems().get(fsName)).flatMap(fs -> find(fs, kind, index)).isPresent();
    });
  }

  /** Mounts a target on its (running) server. A target that crashed starts recovery; mounting a mounted target is a no-op. */
  public void mount(String fsName, TargetKind kind, int index) {
    lockedRun(() -> {
      updateTarget(fsName, kind, index, t -> {
        Server server = requireServer(t.server());
        if (!server.up()) {
          throw new IllegalStateException("server " + server.name() + " is down; cannot mount " + t.name());
        }
        if (t.mounted()) {
          return t;
        }
        return t.crashed() ? t.with(true, false, clock.millis()) : t.with(true, false, t.recoveryStartMillis());
      });
    });
  }

  /** Unmounts a target cleanly: its clients are told, so the next mount needs no recovery. */
  public void unmount(String fsName, TargetKind kind, int index) {
    lockedRun(() -> {
      updateTarget(fsName, kind, index, t -> t.with(false, false, 0));
    });
  }

  /** The server VM stops hard: its targets drop without telling clients, and will recover when mounted again. */
  public void serverDown(String name) {
    lockedRun(() -> {
      requireServer(name);
      Map<String, Server> servers = new TreeMap<>(state.servers());
      Server s = servers.get(name);
      servers.put(name, new Server(name, s.nid(), false));
      Map<String, Filesystem> filesystems = new TreeMap<>();
      state.filesystems().forEach((fsName, fs) -> filesystems.put(fsName, withTargets(fs,
          fs.targets().stream().map(t -> t.server().equals(name) && t.mounted() ? t.with(false, true, t.recoveryStartMillis()) : t).toList())));
      save(new State(servers, filesystems));
    });
  }

  /** The server VM runs again; its boot mounts its targets with {@link #mount}. */
  public void serverUp(String name) {
    lockedRun(() -> {
      Server s = requireServer(name);
      Map<String, Server> servers = new TreeMap<>(state.servers());
      servers.put(name, new Server(name, s.nid(), true));
      save(new State(servers, state.filesystems()));
    });
  }

  public Optional<Server> server(String name) {
    return locked(() -> {
      return Optional.ofNullable(state.servers().get(name));
    });
  }

  public Optional<Filesystem> filesystem(String fsName) {
    return locked(() -> {
      return Optional.ofNullable(state.filesystems().get(fsName));
    });
  }

  /** The targets a server owns, in the order lctl dl lists them (MGT, MDTs, OSTs). */
  public List<Target> targetsOf(String server) {
    return locked(() -> {
      return state.filesystems().values().stream().flatMap(fs -> fs.targets().stream()).filter(t -> t.server().equals(server)).toList();
    });
  }

  /** The filesystem whose namespace root is {@code path}, if any (what lfs getname and lfs df on a mount point see). */
  public Optional<String> filesystemMountedAt(Path path) {
    return locked(() -> {
      Path normal = path.toAbsolutePath().normalize();
      return state.filesystems().keySet().stream().filter(fs -> namespace(fs).toAbsolutePath().normalize().equals(normal)).findFirst();
    });
  }

  /** The filesystem holding {@code path} and the path relative to its root. */
  public Optional<Map.Entry<String, String>> locate(Path path) {
    return locked(() -> {
      Path normal = path.toAbsolutePath().normalize();
      for (String fs : state.filesystems().keySet()) {
        Path root = namespace(fs).toAbsolutePath().normalize();
        if (normal.startsWith(root)) {
          return Optional.of(Map.entry(fs, root.relativize(normal).toString()));
        }
      }
      return Optional.empty();
    });
  }

  void setLayout(String fsName, String relative, Layout layout) {
    lockedRun(() -> {
      Filesystem fs = state.filesystems().get(fsName);
      Map<String, Layout> layouts = new TreeMap<>(fs.layouts());
      layouts.put(relative, layout);
      putFilesystem(new Filesystem(fsName, fs.targets(), layouts, fs.projects(), fs.blockLimitsKib()));
    });
  }

  /** Tags a directory and every directory below it (lfs project -r); files follow their nearest tagged directory. */
  void setProject(String fsName, String relative, List<String> subdirectories, Project project) {
    lockedRun(() -> {
      Filesystem fs = state.filesystems().get(fsName);
      Map<String, Project> projects = new TreeMap<>(fs.projects());
      projects.put(relative, project);
      subdirectories.forEach(d -> projects.put(d, project));
      putFilesystem(new Filesystem(fsName, fs.targets(), fs.layouts(), projects, fs.blockLimitsKib()));
    });
  }

  void setBlockLimit(String fsName, long projectId, long limitKib) {
    lockedRun(() -> {
      Filesystem fs = state.filesystems().get(fsName);
      Map<Long, Long> limits = new TreeMap<>(fs.blockLimitsKib());
      limits.put(projectId, limitKib);
      putFilesystem(new Filesystem(fsName, fs.targets(), fs.layouts(), fs.projects(), limits));
    });
  }

  /** Removes a project's quota entry; false when there was none. */
  boolean deleteBlockLimit(String fsName, long projectId) {
    return locked(() -> {
      Filesystem fs = state.filesystems().get(fsName);
      if (!fs.blockLimitsKib().containsKey(projectId)) {
        return false;
      }
      Map<Long, Long> limits = new TreeMap<>(fs.blockLimitsKib());
      limits.remove(projectId);
      putFilesystem(new Filesystem(fsName, fs.targets(), fs.layouts(), fs.projects(), limits));
      return true;
    });
  }

  /** Forgets layouts and projects recorded for directories that no longer exist (removed by the agent in Java). */
  Filesystem pruned(String fsName) {
    return locked(() -> {
      Filesystem fs = state.filesystems().get(fsName);
      Path root = namespace(fsName);
      Map<String, Layout> layouts = new LinkedHashMap<>(fs.layouts());
      Map<String, Project> projects = new LinkedHashMap<>(fs.projects());
      boolean changed = layouts.keySet().removeIf(d -> !Files.isDirectory(root.resolve(d)))
          | projects.keySet().removeIf(d -> !Files.isDirectory(root.resolve(d)));
      if (changed) {
        putFilesystem(new Filesystem(fsName, fs.targets(), new TreeMap<>(layouts), new TreeMap<>(projects), fs.blockLimitsKib()));
      }
      return state.filesystems().get(fsName);
    });
  }

  /** Serialises changes within this JVM and, through a file lock, with agents running in other processes. */
  private <T> T locked(Supplier<T> body) {
    synchronized (JVM_LOCKS.computeIfAbsent(directory.toAbsolutePath().normalize(), k -> new Object())) {
      try (FileChannel channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        // Another process may have changed the state since: always work on what is on disk.
        state = load();
        return body.get();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock simulated Lustre state in " + directory, e);
      }
    }
  }

  private void lockedRun(Runnable body) {
    locked(() -> {
      body.run();
      return null;
    });
  }

  private State load() throws IOException {
    Path file = directory.resolve(STATE_FILE);
    return Files.exists(file) ? JSON.readValue(file.toFile(), State.class) : new State(Map.of(), Map.of());
  }

  private Server requireServer(String name) {
    Server server = state.servers().get(name);
    if (server == null) {
      throw new IllegalArgumentException("no server " + name + " (add it first)");
    }
    return server;
  }

  private static Optional<Target> find(Filesystem fs, TargetKind kind, int index) {
    return fs.targets().stream().filter(t -> t.kind() == kind && t.index() == index).findFirst();
  }

  private void updateTarget(String fsName, TargetKind kind, int index, UnaryOperator<Target> change) {
    Filesystem fs = state.filesystems().get(fsName);
    if (fs == null || find(fs, kind, index).isEmpty()) {
      throw new IllegalArgumentException("target " + kind + " " + index + " of " + fsName + " is not formatted");
    }
    putFilesystem(withTargets(fs, fs.targets().stream().map(t -> t.kind() == kind && t.index() == index ? change.apply(t) : t).toList()));
  }

  private static Filesystem withTargets(Filesystem fs, List<Target> targets) {
    return new Filesystem(fs.fsName(), targets, fs.layouts(), fs.projects(), fs.blockLimitsKib());
  }

  private void putFilesystem(Filesystem fs) {
    Map<String, Filesystem> filesystems = new TreeMap<>(state.filesystems());
    filesystems.put(fs.fsName(), fs);
    save(new State(state.servers(), filesystems));
  }

  /** Writes the new state to a temporary file and renames it over the old: a crash leaves one or the other, whole. */
  private void save(State next) {
    try {
      Path temp = Files.createTempFile(directory, STATE_FILE, ".tmp");
      JSON.writeValue(temp.toFile(), next);
      Files.move(temp, directory.resolve(STATE_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save simulated Lustre state in " + directory, e);
    }
    state = next;
  }
}
