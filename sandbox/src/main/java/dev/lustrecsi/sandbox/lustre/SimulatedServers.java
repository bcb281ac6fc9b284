package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The state of simulated Lustre servers, in memory: servers (name, NID, up or down), and per
 * filesystem its targets (kind, index, owning server, capacity, mounted, recovery), each
 * directory's default layout and project, and each project's block limit. The namespace that
 * clients see is a real directory per filesystem under one directory ({@link #namespace}), and
 * usage is what the files in it add up to. It lives as long as the sandbox that holds it, like
 * the embedded API server beside it.
 *
 * <p>The KubeVirt simulator drives it as a VM's boot would: {@link #addServer}, {@link #format}
 * once per target, {@link #mount}; a VM stopping hard is {@link #serverDown}, one whose node is cut off
 * while it keeps running is {@link #serverCutOff} (its pools stay in use by it: multihost). The Lustre commands
 * the agent runs read and change it through {@link SimulatedLustreCommands}.
 */
public final class SimulatedServers implements SimulatedNamespaces, AutoCloseable {
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

  /**
   * A copy of one filesystem's server-side state. Directory keys are paths relative to the namespace root.
   *
   * @param objects the OSTs holding each file's objects, by file, in stripe order: fixed when the
   *     file is first seen (as the MDS allocates at create) and changed only by lfs migrate
   * @param noCreate OSTs the MDS makes no new objects on (max_create_count=0; forgotten when the MDT mounts again)
   * @param deactivated OSTs deactivated for good on the MGS (set_param -P osc.*.active=0)
   * @param cancelled OSTs whose records del_ost cancelled, by configuration log ({@code FSNAME-client},
   *     {@code FSNAME-MDTxxxx}): one log at a time, so a del_ost cut short leaves some logs naming the OST
   * @param pools the OST pools an admin made ({@code lctl pool_new}, {@code pool_add}), by name: their
   *     records sit in every log del_ost edits, a pool_add's naming its OST; del_ost cancels those with the OST's others
   */
  public record Filesystem(String fsName, List<Target> targets, Map<String, Layout> layouts, Map<String, Project> projects,
      Map<Long, Long> blockLimitsKib, Map<String, List<Integer>> objects, java.util.Set<Integer> noCreate,
      java.util.Set<Integer> deactivated, Map<String, java.util.Set<Integer>> cancelled, Map<String, List<Integer>> pools) {
    public Filesystem {
      targets = List.copyOf(targets);
      layouts = Map.copyOf(layouts);
      projects = Map.copyOf(projects);
      blockLimitsKib = Map.copyOf(blockLimitsKib);
      objects = Map.copyOf(objects);
      noCreate = java.util.Set.copyOf(noCreate);
      deactivated = java.util.Set.copyOf(deactivated);
      cancelled = cancelled.entrySet().stream()
          .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> java.util.Set.copyOf(e.getValue())));
      TreeMap<String, List<Integer>> byName = new TreeMap<>();  // in name order: each read of a simulated log lists them alike
      pools.forEach((name, osts) -> byName.put(name, List.copyOf(osts)));
      pools = java.util.Collections.unmodifiableSortedMap(byName);
    }

    /** The configuration logs del_ost edits: the clients' and each registered MDT's. */
    public List<String> configLogs() {
      List<String> logs = new ArrayList<>(List.of(fsName + "-client"));
      targets.stream().filter(t -> t.kind() == TargetKind.MDT && t.registered()).forEach(t -> logs.add(t.name().toString()));
      return logs;
    }

    /** Whether the log still holds records of the OST (del_ost has not cancelled them there). */
    public boolean names(String log, int ostIndex) {
      return !cancelled.getOrDefault(log, java.util.Set.of()).contains(ostIndex);
    }

    /** The OSTs del_ost took out of every configuration log it edits. */
    public java.util.Set<Integer> deleted() {
      return targets.stream().filter(t -> t.kind() == TargetKind.OST).map(Target::index)
          .filter(i -> configLogs().stream().noneMatch(log -> names(log, i))).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Whether some configuration log no longer names the OST: a target mounted from that log (or after it) does not know it. */
    private boolean partlyDeleted(int ostIndex) {
      return configLogs().stream().anyMatch(log -> !names(log, ostIndex));
    }

    /** The OSTs the MDS places new objects on: known to the configuration, mounted, allocating. */
    public List<Integer> allocating() {
      return targets.stream().filter(t -> t.kind() == TargetKind.OST && t.registered() && t.mounted())
          .map(Target::index).filter(i -> !noCreate.contains(i) && !deactivated.contains(i) && !partlyDeleted(i)).toList();
    }

    /** The OSTs clients list: known to the configuration and not deactivated for good (lfs df omits those). */
    public List<Target> listedOsts() {
      return targets.stream().filter(t -> t.kind() == TargetKind.OST && t.registered()
          && !deactivated.contains(t.index()) && !partlyDeleted(t.index())).toList();
    }
  }

  /** One filesystem's live state, guarded by the servers' monitor. */
  private static final class Live {
    final String fsName;
    final Path root;
    List<Target> targets = List.of();
    final Map<String, Layout> layouts = new HashMap<>();
    final Map<String, Project> projects = new HashMap<>();
    final Map<Long, Long> blockLimitsKib = new HashMap<>();
    final Map<String, List<Integer>> objects = new HashMap<>();
    final java.util.Set<Integer> noCreate = new java.util.HashSet<>();
    final java.util.Set<Integer> deactivated = new java.util.HashSet<>();
    final Map<String, java.util.Set<Integer>> cancelled = new HashMap<>();
    final Map<String, List<Integer>> pools = new TreeMap<>();
    final java.util.Set<Integer> exported = new java.util.HashSet<>();
    /** OSTs whose dataset carries the agent's release tag. */
    final java.util.Set<Integer> released = new java.util.HashSet<>();

    Live(String fsName, Path root) {
      this.fsName = fsName;
      this.root = root;
    }

    Filesystem copy() {
      return new Filesystem(fsName, targets, layouts, projects, blockLimitsKib, objects, noCreate, deactivated, cancelled, pools);
    }
  }

  private final Path directory;
  private final Clock clock;
  private final Duration recoveryWindow;
  private final Map<String, Server> servers = new TreeMap<>();
  private final Map<String, Live> filesystems = new TreeMap<>();
  /** ZFS snapshots, forks and snapshot mounts. Datasets are named as the VM setup script names them. */
  private final SimulatedZfsSnapshots zfs;
  /** Real bind mounts: a snapshot client's mount shows the namespace its snapshot captured. */
  private final dev.lustrecsi.node.mount.Mounter mounter = new dev.lustrecsi.node.mount.Mounter(new dev.lustrecsi.common.exec.ProcessCommandRunner());
  /**
   * The instances of each server still running that are no longer its current one: a VM whose
   * node was cut off keeps running, its pools imported, while KubeVirt starts another instance
   * elsewhere. Each boot has a host id of its own and the pools have multihost=on, so the new
   * instance's import of a pool such an instance holds fails ZFS's activity check.
   */
  private final Map<String, java.util.Set<TargetName>> cutOff = new HashMap<>();
  /** Each filesystem's write barrier, as the MGS keeps it. */
  private final Map<String, Barrier> barriers = new HashMap<>();

  /** Told of each command a server is about to run; tests use it to stop a caller at a chosen step. */
  private volatile java.util.function.BiConsumer<String, List<String>> commandHook = (server, argv) -> {};

  /**
   * Runs {@code hook} before every command any simulated server runs, with the server's name and
   * the command line. A hook that throws stops the command before it does anything, as a caller
   * that died before asking would.
   */
  public void onCommand(java.util.function.BiConsumer<String, List<String>> hook) {
    commandHook = hook == null ? (server, argv) -> {} : hook;
  }

  void beforeCommand(String server, List<String> argv) {
    commandHook.accept(server, argv);
  }

  /** A write barrier: its state as barrier_stat names it, and when a frozen one expires. */
  record Barrier(String state, long expiresAtMillis) {}

  /**
   * @param directory where the namespaces are made, one directory per filesystem
   * @param recoveryWindow how long a target that crashed stays RECOVERING after it is mounted again
   */
  public SimulatedServers(Path directory, Clock clock, Duration recoveryWindow) {
    this.directory = directory.toAbsolutePath().normalize();
    this.clock = clock;
    this.recoveryWindow = recoveryWindow;
    this.zfs = new SimulatedZfsSnapshots(this.directory.resolve("zfs-snapshots"));
    try {
      Files.createDirectories(this.directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the simulated Lustre's directory " + directory, e);
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
  public synchronized java.util.OptionalLong quotaBytes(dev.lustrecsi.common.volume.VolumeId volume) {
    Live fs = filesystems.get(volume.fsName());
    Project project = fs == null ? null : fs.projects.get(volume.directory());
    if (project == null) {
      return java.util.OptionalLong.empty();
    }
    Long limitKib = fs.blockLimitsKib.get(project.id());
    return java.util.OptionalLong.of(limitKib == null ? 0 : limitKib * 1024);
  }

  /** Registers a server VM. Its NID is fixed for life: Lustre records it in every target's configuration. */
  public synchronized void addServer(String name, String nid) {
    Server existing = servers.get(name);
    if (existing != null) {
      if (!existing.nid().equals(nid)) {
        throw new IllegalStateException("server " + name + " has NID " + existing.nid() + "; a server's NID never changes (asked for " + nid + ")");
      }
      return;
    }
    servers.put(name, new Server(name, nid, true));
  }

  /**
   * Formats a target on a server's disk, as mkfs.lustre would. A disk that already holds this
   * target is refused, as mkfs.lustre refuses a disk holding Lustre without --reformat: data is
   * never wiped by a second boot.
   */
  public synchronized void format(String server, String fsName, TargetKind kind, int index, long capacityBytes) {
    requireServer(server);
    if (kind == TargetKind.MGT && index != 0) {
      throw new IllegalArgumentException("the MGT has no index other than 0");
    }
    Live fs = filesystems.get(fsName);
    if (fs != null && find(fs.targets, kind, index).isPresent()) {
      Target existing = find(fs.targets, kind, index).get();
      throw new IllegalStateException("mkfs.lustre: " + existing.name() + " on " + existing.server()
          + " already holds a Lustre filesystem; refusing to format it again (no --reformat)");
    }
    try {
      Files.createDirectories(namespace(fsName));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (fs == null) {
      fs = new Live(fsName, namespace(fsName));
      filesystems.put(fsName, fs);
    }
    List<Target> targets = new ArrayList<>(fs.targets);
    targets.add(new Target(fsName, kind, index, server, Math.ceilDiv(capacityBytes, 1024), false, false, false, 0));
    targets.sort(Comparator.comparing(Target::kind).thenComparing(Target::index));
    fs.targets = List.copyOf(targets);
  }

  /** Whether a target was formatted: what a VM's boot script checks before mkfs. */
  public synchronized boolean isFormatted(String fsName, TargetKind kind, int index) {
    Live fs = filesystems.get(fsName);
    return fs != null && find(fs.targets, kind, index).isPresent();
  }

  /** Mounts a target on its (running) server. A target that crashed starts recovery; mounting a mounted target is a no-op. */
  public synchronized void mount(String fsName, TargetKind kind, int index) {
    updateTarget(fsName, kind, index, t -> {
      Server server = requireServer(t.server());
      if (!server.up()) {
        throw new IllegalStateException("server " + server.name() + " is down; cannot mount " + t.name());
      }
      if (t.mounted()) {
        return t;
      }
      if (cutOff.getOrDefault(t.server(), java.util.Set.of()).contains(t.name())) {
        // zpool import -f: multihost is on and the other instance's host id is not this boot's.
        throw new IllegalStateException("cannot import '" + dataset(t).substring(0, dataset(t).indexOf('/'))
            + "': pool is imported on " + server.name() + " (another instance): the multihost activity check saw it written");
      }
      Live fs = filesystems.get(fsName);
      fs.exported.remove(index);  // mounting imports the pool again
      if (kind == TargetKind.MDT) {
        fs.noCreate.clear();  // max_create_count is a runtime setting of the MDT's osp devices
      }
      return t.crashed() ? t.with(true, false, clock.millis()) : t.with(true, false, t.recoveryStartMillis());
    });
  }

  /** Unmounts a target cleanly: its clients are told, so the next mount needs no recovery. */
  public synchronized void unmount(String fsName, TargetKind kind, int index) {
    updateTarget(fsName, kind, index, t -> t.with(false, false, 0));
  }

  /** The server VM stops hard: its targets drop without telling clients, and will recover when mounted again. */
  public synchronized void serverDown(String name) {
    Server s = requireServer(name);
    servers.put(name, new Server(name, s.nid(), false));
    for (Live fs : filesystems.values()) {
      fs.targets = fs.targets.stream().map(t -> t.server().equals(name) && t.mounted() ? t.with(false, true, t.recoveryStartMillis()) : t).toList();
    }
  }

  /**
   * The server's node is cut off, not dead: its instance keeps running and writing its pools, while
   * nobody reaches it (to clients it is down, as after {@link #serverDown}). A new instance booted
   * elsewhere ({@link #serverUp}) cannot import those pools until {@link #cutOffInstanceGone}.
   */
  public synchronized void serverCutOff(String name) {
    java.util.Set<TargetName> held = new java.util.HashSet<>();
    for (Live fs : filesystems.values()) {
      fs.targets.stream().filter(t -> t.server().equals(name) && t.mounted()).forEach(t -> held.add(t.name()));
    }
    serverDown(name);
    cutOff.computeIfAbsent(name, n -> new java.util.HashSet<>()).addAll(held);
  }

  /** The cut-off instance of the server is gone (its node came back and stopped it, or was fenced): its pools are free. */
  public synchronized void cutOffInstanceGone(String name) {
    cutOff.remove(name);
  }

  /** Whether an instance of the server that is not its current one still holds the target's pool. */
  public synchronized boolean heldByAnotherInstance(String fsName, TargetKind kind, int index) {
    TargetName target = new TargetName(fsName, kind, index);
    return cutOff.values().stream().anyMatch(held -> held.contains(target));
  }

  /** The server VM runs again; its boot mounts its targets with {@link #mount}. */
  public synchronized void serverUp(String name) {
    Server s = requireServer(name);
    servers.put(name, new Server(name, s.nid(), true));
  }

  public synchronized Optional<Server> server(String name) {
    return Optional.ofNullable(servers.get(name));
  }

  /** A copy of the filesystem's state. */
  public synchronized Optional<Filesystem> filesystem(String fsName) {
    return Optional.ofNullable(filesystems.get(fsName)).map(Live::copy);
  }

  /** Every filesystem formatted on these servers, by name. */
  public synchronized List<String> filesystemNames() {
    return List.copyOf(filesystems.keySet());
  }

  /** The filesystem's targets, in the order lctl dl lists them; empty for an unknown filesystem. */
  public synchronized List<Target> targets(String fsName) {
    Live fs = filesystems.get(fsName);
    return fs == null ? List.of() : fs.targets;
  }

  /** The targets a server owns, in the order lctl dl lists them (MGT, MDTs, OSTs). */
  public synchronized List<Target> targetsOf(String server) {
    return filesystems.values().stream().flatMap(fs -> fs.targets.stream()).filter(t -> t.server().equals(server)).toList();
  }

  /** The filesystem whose namespace root is {@code path}, if any (what lfs getname and lfs df on a mount point see). */
  public synchronized Optional<String> filesystemMountedAt(Path path) {
    Path normal = path.toAbsolutePath().normalize();
    return filesystems.values().stream().filter(fs -> fs.root.equals(normal)).map(fs -> fs.fsName).findFirst();
  }

  /** The filesystem holding {@code path} and the path relative to its root. */
  public synchronized Optional<Map.Entry<String, String>> locate(Path path) {
    Path normal = path.toAbsolutePath().normalize();
    for (Live fs : filesystems.values()) {
      if (normal.startsWith(fs.root)) {
        return Optional.of(Map.entry(fs.fsName, fs.root.relativize(normal).toString()));
      }
    }
    return Optional.empty();
  }

  synchronized void setLayout(String fsName, String relative, Layout layout) {
    live(fsName).layouts.put(relative, layout);
  }

  /** A directory's own default layout, as lfs setstripe left it. */
  synchronized Optional<Layout> layoutOf(String fsName, String relative) {
    return Optional.ofNullable(live(fsName).layouts.get(relative));
  }

  /** Tags a directory and every directory below it (lfs project -r); files follow their nearest tagged directory. */
  synchronized void setProject(String fsName, String relative, List<String> subdirectories, Project project) {
    Live fs = live(fsName);
    fs.projects.put(relative, project);
    subdirectories.forEach(d -> fs.projects.put(d, project));
  }

  /**
   * A directory's project as {@code lfs project -d} shows it: its own tag, else the tag of the
   * nearest ancestor with the inherit flag (the one a directory made inside it took), else none.
   */
  synchronized Project projectOf(String fsName, String relative) {
    Live fs = live(fsName);
    Project own = fs.projects.get(relative);
    if (own != null) {
      return own;
    }
    for (Path parent = Path.of(relative).getParent(); parent != null; parent = parent.getParent()) {
      Project above = fs.projects.get(parent.toString());
      if (above != null && above.inherit()) {
        return above;
      }
    }
    return new Project(0, false);
  }

  synchronized void setBlockLimit(String fsName, long projectId, long limitKib) {
    live(fsName).blockLimitsKib.put(projectId, limitKib);
  }

  /** Removes a project's quota entry; false when there was none. */
  synchronized boolean deleteBlockLimit(String fsName, long projectId) {
    return live(fsName).blockLimitsKib.remove(projectId) != null;
  }

  /** Forgets layouts and projects recorded for directories that no longer exist (removed by the agent in Java); returns a copy. */
  synchronized Filesystem pruned(String fsName) {
    Live fs = live(fsName);
    fs.layouts.keySet().removeIf(d -> !Files.isDirectory(fs.root.resolve(d)));
    fs.projects.keySet().removeIf(d -> !Files.isDirectory(fs.root.resolve(d)));
    return fs.copy();
  }

  // ---------------------------------------------------------------- ZFS datasets and snapshots

  /**
   * The ZFS dataset holding a target, named as the VM's setup script names it when it formats
   * the target: pool {@code lcsi-FSNAME-SERIAL}, dataset {@code POOL/SERIAL}.
   */
  public static String dataset(Target target) {
    String serial = target.kind() == TargetKind.MGT ? "mgt" : String.format("%s%04x", target.kind().name().toLowerCase(java.util.Locale.ROOT), target.index());
    return "lcsi-" + target.fsName() + "-" + serial + "/" + serial;
  }

  /**
   * The targets whose ZFS pool is imported on the server: the datasets zfs(8) sees there. An
   * exported pool (an OST a drain let go of) keeps its dataset and snapshots on its disk, but zfs
   * lists and opens none of them until the pool is imported again (mounting the target does that here).
   */
  synchronized List<Target> importedTargetsOf(String server) {
    return filesystems.values().stream()
        .flatMap(fs -> fs.targets.stream().filter(t -> !(t.kind() == TargetKind.OST && fs.exported.contains(t.index()))))
        .filter(t -> t.server().equals(server)).toList();
  }

  /** The server's target whose dataset this is, if its pool is imported. */
  synchronized Optional<Target> targetOfDataset(String server, String dataset) {
    return importedTargetsOf(server).stream().filter(t -> dataset(t).equals(dataset)).findFirst();
  }

  /** The ZFS snapshots of every server, the MGS's forked configurations, and what of them is mounted. */
  SimulatedZfsSnapshots zfs() {
    return zfs;
  }

  /** The dataset's snapshots, by name, in the order taken. */
  synchronized List<Map.Entry<String, SimulatedZfsSnapshots.ZfsSnapshot>> snapshotsOf(String dataset) {
    return zfs.ordered(dataset);
  }

  /**
   * Takes a snapshot with its properties; false when one of that name exists. A snapshot of
   * MDT0's dataset captures the namespace as it is now, a real copy of its files.
   */
  synchronized boolean takeSnapshot(Target target, String name, Map<String, String> properties) {
    SimulatedZfsSnapshots.Capture capture = null;
    if (target.kind() == TargetKind.MDT && target.index() == 0) {
      Filesystem fs = pruned(target.fsName());
      capture = new SimulatedZfsSnapshots.Capture(namespace(target.fsName()), fs.layouts(), fs.projects());
    }
    return zfs.take(dataset(target), name, clock.millis() / 1000, properties, capture);
  }

  /** Destroys a snapshot and what it captured; false when there was none of that name. */
  synchronized boolean destroySnapshot(String dataset, String name) {
    return zfs.destroy(dataset, name);
  }

  /**
   * The user properties mkfs.lustre sets on a target's dataset (what a snapshot inherits unless
   * set on the snapshot itself): the MGT only its svname; MDTs and OSTs their filesystem, name,
   * index and the MGS's NID.
   */
  synchronized Map<String, String> datasetProperties(Target target) {
    Map<String, String> properties = new java.util.LinkedHashMap<>();
    properties.put("lustre:svname", target.name().toString());
    if (target.kind() != TargetKind.MGT) {
      properties.put("lustre:fsname", target.fsName());
      properties.put("lustre:index", Integer.toString(target.index()));
      targets(target.fsName()).stream().filter(t -> t.kind() == TargetKind.MGT).findFirst()
          .flatMap(mgt -> server(mgt.server())).ifPresent(mgs -> properties.put("lustre:mgsnode", mgs.nid()));
    }
    return properties;
  }

  /** Every ZFS snapshot of every dataset, as {@code dataset@name}: what tests check for leftovers. */
  public synchronized List<String> allSnapshots() {
    return zfs.all();
  }

  /**
   * What is mounted of snapshots on every server: each piece as {@code SERVER: DATASET@NAME} and
   * each client as {@code SERVER: client of SNAPFS}. What tests check for a restore's leftovers.
   */
  public List<String> mountedSnapshots() {
    List<String> mounted = new ArrayList<>();
    zfs.pieceMounts().forEach(m -> mounted.add(m.server() + ": " + m.snapshot()));
    zfs.clientMounts().forEach(m -> mounted.add(m.server() + ": client of " + m.snapshotFsName()));
    return mounted;
  }

  /** The snapshot filesystem names whose configuration the MGSs hold forked: one per snapshot taken and not destroyed. */
  public java.util.Set<String> forkedConfigurations() {
    return zfs.forks();
  }

  /** The namespace copies that snapshots captured and that still exist, by {@code dataset@name}. */
  public Optional<Path> capturedCopy(String snapshot) {
    return zfs.captured(snapshot).map(SimulatedZfsSnapshots.Captured::root);
  }

  /**
   * Unmounts the snapshot clients' bind mounts, the only real mounts the simulated servers make:
   * what the sandbox does when it closes, so nothing stays mounted after it.
   */
  @Override
  public void close() {
    for (SimulatedZfsSnapshots.ClientMount mount : zfs.clientMounts()) {
      try {
        mounter.unmount(mount.mountPoint());
      } catch (dev.lustrecsi.common.exec.CommandFailedException e) {
        System.getLogger(SimulatedServers.class.getName()).log(System.Logger.Level.WARNING,
            "could not unmount the snapshot client at " + mount.mountPoint() + ": " + e.getMessage());
      }
      zfs.unmounted(mount);
    }
  }

  dev.lustrecsi.node.mount.Mounter mounter() {
    return mounter;
  }

  // ---------------------------------------------------------------- write barriers

  /** The filesystem's barrier now: a frozen barrier whose lifetime ran out reads as expired. */
  synchronized Barrier barrier(String fsName) {
    Barrier barrier = barriers.getOrDefault(fsName, new Barrier("init", 0));
    if (barrier.state().equals("frozen") && clock.millis() >= barrier.expiresAtMillis()) {
      barrier = new Barrier("expired", 0);
      barriers.put(fsName, barrier);
    }
    return barrier;
  }

  /** Freezes the barrier for {@code seconds}; false when it is frozen already. */
  synchronized boolean freeze(String fsName, int seconds) {
    if (barrier(fsName).state().equals("frozen")) {
      return false;
    }
    barriers.put(fsName, new Barrier("frozen", clock.millis() + seconds * 1000L));
    return true;
  }

  /** Thaws a frozen barrier; false when it was not frozen. */
  synchronized boolean thaw(String fsName) {
    if (!barrier(fsName).state().equals("frozen")) {
      return false;
    }
    barriers.put(fsName, new Barrier("thawed", 0));
    return true;
  }

  /** Whether metadata changes of the filesystem are blocked now. */
  public synchronized boolean frozen(String fsName) {
    return barrier(fsName).state().equals("frozen");
  }

  /**
   * Fixes the objects of every file not seen before on the OSTs allocating now, and forgets the
   * files that are gone: what lfs commands that look at objects see first.
   */
  public synchronized Filesystem placeObjects(String fsName) {
    Live fs = live(fsName);
    Filesystem now = fs.copy();
    java.util.Set<String> present = new java.util.HashSet<>();
    try (java.util.stream.Stream<Path> walk = Files.walk(fs.root)) {
      walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(file -> {
        String relative = fs.root.relativize(file).toString();
        present.add(relative);
        Layout layout = nearestLayout(fs, file.getParent());
        List<Integer> allocating = allocatable(now, layout);
        if (!fs.objects.containsKey(relative) && !allocating.isEmpty()) {
          fs.objects.put(relative, NamespaceUsage.allocate(relative, layout, allocating));
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // A file removed while walking: it is simply not placed.
    }
    fs.objects.keySet().retainAll(present);
    return fs.copy();
  }

  /**
   * lfs migrate: the file's objects rewritten, as many stripes as before where there are OSTs
   * enough, on OSTs allocating now within its pool. False (ENOSPC) when none is left there.
   */
  synchronized boolean migrate(String fsName, String relative) {
    Live fs = live(fsName);
    Path parent = fs.root.resolve(relative).getParent();
    List<Integer> allocating = allocatable(fs.copy(), nearestLayout(fs, parent));
    List<Integer> before = fs.objects.get(relative);
    if (before == null || allocating.isEmpty()) {
      return false;
    }
    int count = Math.min(before.size(), allocating.size());
    int start = Math.floorMod((relative + "#" + before).hashCode(), allocating.size());
    List<Integer> after = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      after.add(allocating.get((start + i) % allocating.size()));
    }
    fs.objects.put(relative, List.copyOf(after));
    return true;
  }

  synchronized void stopCreation(String fsName, int index) {
    live(fsName).noCreate.add(index);
  }

  synchronized void deactivate(String fsName, int index) {
    live(fsName).deactivated.add(index);
  }

  /**
   * What an admin's {@code lctl pool_new FSNAME.POOL} and {@code lctl pool_add FSNAME.POOL OST...}
   * leave on the MGS: the pool's records in the clients' log and every MDT's, one per OST added.
   * Nothing in the driver makes pools; tests use it for a filesystem an admin has shaped.
   */
  public synchronized void addPool(String fsName, String pool, List<Integer> ostIndexes) {
    Live fs = live(fsName);
    for (int index : ostIndexes) {
      if (find(fs.targets, TargetKind.OST, index).filter(Target::registered).isEmpty()) {
        throw new IllegalArgumentException("OST " + fsName + "-OST" + String.format(java.util.Locale.ROOT, "%04x", index)
            + " is not part of the '" + fsName + "' fs.");
      }
    }
    List<Integer> members = new ArrayList<>(fs.pools.getOrDefault(pool, List.of()));
    ostIndexes.stream().filter(i -> !members.contains(i)).forEach(members::add);
    fs.pools.put(pool, List.copyOf(members));
  }

  /**
   * del_ost's work on one log: the OST's records in it cancelled. Tests call it alone for what a
   * del_ost killed midway leaves, some logs done and the others not. False when the log had none.
   */
  public synchronized boolean cancelRecords(String fsName, String log, int index) {
    Live fs = live(fsName);
    boolean known = find(fs.targets, TargetKind.OST, index).filter(Target::registered).isPresent();
    if (!known || !fs.copy().configLogs().contains(log)) {
      return false;
    }
    return fs.cancelled.computeIfAbsent(log, unused -> new java.util.HashSet<>()).add(index);
  }

  /** zfs set of the release tag on an OST's dataset: false when its pool is not imported here. */
  synchronized boolean markReleased(String fsName, int index, String server) {
    Live fs = live(fsName);
    if (find(fs.targets, TargetKind.OST, index).filter(t -> t.server().equals(server)).isEmpty() || fs.exported.contains(index)) {
      return false;
    }
    fs.released.add(index);
    return true;
  }

  /** Whether the agent tagged the OST's dataset as released (a drain let go of it). */
  public synchronized boolean isReleased(String fsName, int index) {
    Live fs = filesystems.get(fsName);
    return fs != null && fs.released.contains(index);
  }

  /** zpool export: false when the pool is not imported (never formatted here, or exported already). */
  synchronized boolean exportPool(String fsName, int index, String server) {
    Live fs = live(fsName);
    Optional<Target> ost = find(fs.targets, TargetKind.OST, index).filter(t -> t.server().equals(server));
    if (ost.isEmpty() || fs.exported.contains(index)) {
      return false;
    }
    if (ost.get().mounted()) {
      throw new IllegalStateException("cannot export '" + server + "': pool is busy");
    }
    fs.exported.add(index);
    return true;
  }

  /**
   * The OSTs a new object of a file under {@code layout} may go on, as the MDS's allocator of
   * Lustre 2.16 chooses them (lustre-release lustre/lod): a pool that does not exist, or has no OST
   * left, is ignored and any OST allocating may take the object (lod_pool.c, lod_find_pool: "request
   * for an empty pool", the pool dropped); otherwise only the pool's OSTs are looked at
   * (lod_qos.c, lod_ost_alloc_rr and lod_ost_alloc_specific take the pool's target list), each
   * skipped whose creation is stopped (osp_precreate.c sets OS_STATFS_NOPRECREATE while
   * max_create_count=0; lod_statfs_check answers -ENOBUFS for it), and with none left the
   * allocation answers -ENOSPC ("nobody provided us with a single object"): an object is never
   * placed outside the file's pool. lfs migrate without layout options (lfs.c, lfs_migrate) writes
   * the data into a volatile file created in the file's own directory, which takes that
   * directory's default pool (lod_qos.c, lod_qos_parse_config's def_pool), so a file whose pool
   * holds only OSTs being drained cannot be moved. del_ost cancels the OST's pool records with its
   * others, so a deleted OST is in no pool.
   */
  private static List<Integer> allocatable(Filesystem fs, Layout layout) {
    List<Integer> allocating = fs.allocating();
    if (layout == null || layout.pool().isEmpty()) {
      return allocating;
    }
    java.util.Set<Integer> deleted = fs.deleted();
    List<Integer> members = fs.pools().getOrDefault(layout.pool(), List.of()).stream().filter(i -> !deleted.contains(i)).toList();
    return members.isEmpty() ? allocating : allocating.stream().filter(members::contains).toList();
  }

  /** The OST pool a file's objects are made in, as its layout names it ({@code lfs getstripe -p}); empty for none. */
  synchronized String poolOf(String fsName, String relativeFile) {
    Live fs = live(fsName);
    Layout layout = nearestLayout(fs, fs.root.resolve(relativeFile).getParent());
    return layout == null ? "" : layout.pool();
  }

  /** An admin's pool's OSTs, those del_ost has not taken out; empty when there is no such pool. */
  synchronized Optional<List<Integer>> poolMembers(String fsName, String pool) {
    Filesystem fs = live(fsName).copy();
    java.util.Set<Integer> deleted = fs.deleted();
    return Optional.ofNullable(fs.pools().get(pool)).map(osts -> osts.stream().filter(i -> !deleted.contains(i)).toList());
  }

  private static Layout nearestLayout(Live fs, Path dir) {
    for (Path p = dir; p != null && p.startsWith(fs.root); p = p.getParent()) {
      Layout layout = fs.layouts.get(fs.root.relativize(p).toString());
      if (layout != null) {
        return layout;
      }
    }
    return null;
  }

  private Live live(String fsName) {
    Live fs = filesystems.get(fsName);
    if (fs == null) {
      throw new IllegalArgumentException("no filesystem " + fsName + " is formatted");
    }
    return fs;
  }

  private Server requireServer(String name) {
    Server server = servers.get(name);
    if (server == null) {
      throw new IllegalArgumentException("no server " + name + " (add it first)");
    }
    return server;
  }

  private static Optional<Target> find(List<Target> targets, TargetKind kind, int index) {
    return targets.stream().filter(t -> t.kind() == kind && t.index() == index).findFirst();
  }

  private void updateTarget(String fsName, TargetKind kind, int index, java.util.function.UnaryOperator<Target> change) {
    Live fs = filesystems.get(fsName);
    if (fs == null || find(fs.targets, kind, index).isEmpty()) {
      throw new IllegalArgumentException("target " + kind + " " + index + " of " + fsName + " is not formatted");
    }
    fs.targets = fs.targets.stream().map(t -> t.kind() == kind && t.index() == index ? change.apply(t) : t).toList();
  }
}
