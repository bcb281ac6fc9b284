package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreCommands.Failure;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Target;
import dev.lustrecsi.sandbox.lustre.SimulatedZfsSnapshots.ClientMount;
import dev.lustrecsi.sandbox.lustre.SimulatedZfsSnapshots.PieceMount;
import dev.lustrecsi.sandbox.lustre.SimulatedZfsSnapshots.ZfsSnapshot;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The commands of Lustre ZFS snapshots on one simulated server, in the real tools' syntax and
 * messages: {@code zfs list/snapshot/get/destroy}, the MGS's {@code lctl fork_lcfg} and {@code
 * erase_lcfg}, and {@code mount}/{@code umount} of snapshot pieces and of a snapshot's client.
 * Mounting a piece is recorded (nothing reads a piece's blocks here); mounting the client is a
 * real read-only bind mount of the namespace MDT0's snapshot captured, so what a restore copies
 * is really the old data. Each command fails where the real one would: a piece that does not
 * exist, a snapshot that was never tagged, a client whose targets are not mounted, a busy
 * snapshot destroyed.
 */
final class SimulatedSnapshotCommands {
  private static final Pattern ZFS_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,255}");
  private static final Pattern USER_PROPERTY = Pattern.compile("[a-z0-9_.-]+:[a-z0-9_.:-]+");
  private static final List<String> GET_FIELDS = List.of("name", "property", "value", "source");
  private static final int ENOENT = 2;
  private static final int EIO = 5;
  private static final int EBUSY = 16;
  private static final int EEXIST = 17;
  private static final int EROFS = 30;
  private static final int EALREADY = 114;
  /** mount(8)'s and umount(8)'s exit code for a failed mount or unmount. */
  private static final int MOUNT_FAILURE = 32;

  private final SimulatedServers servers;
  private final String serverName;

  SimulatedSnapshotCommands(SimulatedServers servers, String serverName) {
    this.servers = servers;
    this.serverName = serverName;
  }

  private SimulatedZfsSnapshots zfs() {
    return servers.zfs();
  }

  // ---------------------------------------------------------------- zfs

  /** Messages and exit codes are zfs(8)'s: 1 for a failed operation, 2 for a usage error. */
  String zfs(List<String> args) throws Failure {
    if (servers.server(serverName).map(s -> !s.up()).orElse(true)) {
      throw new Failure(1, "The ZFS modules are not loaded.\nTry running 'modprobe zfs' as root to load them.");
    }
    if (!args.isEmpty() && args.getFirst().equals("set")) {
      return SimulatedOstRemoval.zfsSet(servers, serverName, args.subList(1, args.size()));
    }
    // zfs sees the datasets of imported pools only: not those of an OST whose pool a drain exported.
    if (args.equals(List.of("list", "-H", "-p", "-o", "name,lustre:svname", "-t", "filesystem"))) {
      StringBuilder out = new StringBuilder();
      for (Target t : servers.importedTargetsOf(serverName)) {
        String dataset = SimulatedServers.dataset(t);
        out.append(dataset, 0, dataset.indexOf('/')).append("\t-\n");
        out.append(dataset).append('\t').append(t.name()).append('\n');
      }
      return out.toString();
    }
    if (args.equals(List.of("list", "-H", "-p", "-o", "name,creation", "-t", "snapshot"))) {
      StringBuilder out = new StringBuilder();
      for (Target t : servers.importedTargetsOf(serverName)) {
        String dataset = SimulatedServers.dataset(t);
        for (Map.Entry<String, ZfsSnapshot> e : servers.snapshotsOf(dataset)) {
          out.append(dataset).append('@').append(e.getKey()).append('\t').append(e.getValue().creationSeconds()).append('\n');
        }
      }
      return out.toString();
    }
    if (!args.isEmpty() && args.getFirst().equals("snapshot")) {
      return snapshot(args.subList(1, args.size()));
    }
    if (!args.isEmpty() && args.getFirst().equals("get")) {
      return get(args.subList(1, args.size()));
    }
    if (args.size() == 2 && args.getFirst().equals("destroy")) {
      return destroy(args.get(1));
    }
    throw new Failure(2, "zfs: the simulation knows list (as the agent runs it), snapshot [-o PROP=VALUE]... DATASET@NAME, "
        + "get -H -o FIELDS PROPS DATASET[@NAME] and destroy DATASET@NAME; not '" + String.join(" ", args) + "'");
  }

  /** {@code zfs snapshot [-o PROPERTY=VALUE]... DATASET@NAME}: user properties only, as the agent sets them. */
  private String snapshot(List<String> args) throws Failure {
    Map<String, String> properties = new LinkedHashMap<>();
    int i = 0;
    while (i < args.size() - 1 && args.get(i).equals("-o")) {
      String assignment = args.get(i + 1);
      int eq = assignment.indexOf('=');
      if (eq <= 0 || !USER_PROPERTY.matcher(assignment.substring(0, eq)).matches()) {
        throw new Failure(2, "cannot create snapshot: invalid property '" + assignment + "' (the simulation knows user properties, module:name=value)");
      }
      properties.put(assignment.substring(0, eq), assignment.substring(eq + 1));
      i += 2;
    }
    if (i != args.size() - 1) {
      throw new Failure(2, "usage:\n\tsnapshot [-r] [-o property=value] ... <filesystem|volume>@<snap> ...");
    }
    String full = args.get(i);
    Target target = snapshotTarget("create snapshot", full);
    String name = full.substring(full.indexOf('@') + 1);
    if (!servers.takeSnapshot(target, name, properties)) {
      throw new Failure(1, "cannot create snapshot '" + full + "': dataset already exists");
    }
    return "";
  }

  /** {@code zfs destroy DATASET@NAME}: refused while the snapshot is mounted, as ZFS refuses a busy one. */
  private String destroy(String full) throws Failure {
    Target target = snapshotTarget("destroy", full);
    String name = full.substring(full.indexOf('@') + 1);
    if (zfs().pieceMounts().stream().anyMatch(m -> m.snapshot().equals(full))) {
      throw new Failure(1, "cannot destroy snapshot " + full + ": dataset is busy");
    }
    if (!servers.destroySnapshot(SimulatedServers.dataset(target), name)) {
      throw new Failure(1, "could not find any snapshots to destroy; check snapshot names.");
    }
    return "";
  }

  /**
   * {@code zfs get -H -o FIELD[,FIELD...] PROP[,PROP...] DATASET[@NAME]}: one line per property,
   * the fields tab-separated. A snapshot's own properties are "local"; the others it inherits
   * from its dataset, as ZFS user properties are inherited; a property set nowhere is "-".
   */
  private String get(List<String> args) throws Failure {
    if (args.size() != 5 || !args.get(0).equals("-H") || !args.get(1).equals("-o")) {
      throw new Failure(2, "zfs get: the simulation knows get -H -o FIELDS PROPS DATASET[@NAME]");
    }
    List<String> fields = Arrays.asList(args.get(2).split(","));
    if (!GET_FIELDS.containsAll(fields)) {
      throw new Failure(2, "invalid field '" + args.get(2) + "'; fields are name, property, value, source");
    }
    String full = args.get(4);
    int at = full.indexOf('@');
    String dataset = at < 0 ? full : full.substring(0, at);
    Target target = servers.targetOfDataset(serverName, dataset)
        .orElseThrow(() -> new Failure(1, "cannot open '" + full + "': dataset does not exist"));
    Map<String, String> own = Map.of();
    if (at >= 0) {
      own = zfs().get(dataset, full.substring(at + 1))
          .orElseThrow(() -> new Failure(1, "cannot open '" + full + "': dataset does not exist")).properties();
    }
    Map<String, String> inherited = servers.datasetProperties(target);
    StringBuilder out = new StringBuilder();
    for (String property : args.get(3).split(",")) {
      String value = own.containsKey(property) ? own.get(property) : inherited.getOrDefault(property, "-");
      String source = own.containsKey(property) ? "local"
          : !inherited.containsKey(property) ? "-" : at >= 0 ? "inherited from " + dataset : "local";
      Map<String, String> row = Map.of("name", full, "property", property, "value", value, "source", source);
      out.append(String.join("\t", fields.stream().map(row::get).toList())).append('\n');
    }
    return out.toString();
  }

  /** The target whose dataset the {@code DATASET@NAME} names, checked as zfs checks it. */
  private Target snapshotTarget(String verb, String full) throws Failure {
    int at = full.indexOf('@');
    if (at <= 0 || !ZFS_NAME.matcher(full.substring(at + 1)).matches()) {
      throw new Failure(2, "cannot " + verb + " '" + full + "': invalid character or missing '@'");
    }
    String dataset = full.substring(0, at);
    return servers.targetOfDataset(serverName, dataset).orElseThrow(() -> new Failure(1, "cannot open '" + dataset + "': dataset does not exist"));
  }

  // ---------------------------------------------------------------- lctl on the MGS

  /**
   * {@code lctl fork_lcfg FSNAME SNAPFS}, on the MGS of FSNAME. A name whose logs exist (a fork,
   * or a live filesystem) fails with EEXIST, as the MGS is believed to answer; lctl prints
   * "error: fork_lcfg: OBD_IOC_LCFG_FORK failed: File exists".
   */
  String fork(List<String> args) throws Failure {
    if (args.size() != 2) {
      throw SimulatedLustreCommands.usage("lctl fork_lcfg", "fork_lcfg: expected <fsname> <new fsname>");
    }
    String fsName = args.get(0);
    requireMgsOf(fsName, "fork_lcfg");
    if (servers.filesystemNames().contains(args.get(1)) || !zfs().fork(fsName, args.get(1))) {
      throw new Failure(EEXIST, "error: fork_lcfg: OBD_IOC_LCFG_FORK failed: File exists");
    }
    return "";
  }

  /** {@code lctl erase_lcfg SNAPFS [-q]}: ENOENT when there is no fork of that name. */
  String erase(List<String> args) throws Failure {
    if (args.isEmpty() || args.size() > 2 || (args.size() == 2 && !args.get(1).equals("-q") && !args.get(1).equals("--quiet"))) {
      throw SimulatedLustreCommands.usage("lctl erase_lcfg", "erase_lcfg: expected <fsname> [-q]");
    }
    Optional<String> origin = zfs().forkedFrom(args.getFirst());
    if (servers.filesystemNames().contains(args.getFirst())) {
      // The simulation never erases a live filesystem's logs: that would wreck it.
      throw new Failure(EBUSY, "error: erase_lcfg: OBD_IOC_LCFG_ERASE failed: Device or resource busy");
    }
    if (origin.isPresent()) {
      requireMgsOf(origin.get(), "erase_lcfg");
    } else if (servers.targetsOf(serverName).stream().noneMatch(t -> t.kind() == TargetKind.MGT && t.mounted())) {
      throw new Failure(19, "error: erase_lcfg: OBD_IOC_LCFG_ERASE failed: No such device");
    }
    if (!zfs().erase(args.getFirst())) {
      throw new Failure(ENOENT, "error: erase_lcfg: OBD_IOC_LCFG_ERASE failed: No such file or directory");
    }
    return "";
  }

  private void requireMgsOf(String fsName, String command) throws Failure {
    boolean mgs = servers.targetsOf(serverName).stream().anyMatch(t -> t.kind() == TargetKind.MGT && t.mounted() && t.fsName().equals(fsName));
    if (!mgs) {
      throw new Failure(19, "error: " + command + ": OBD_IOC_" + (command.equals("fork_lcfg") ? "LCFG_FORK" : "LCFG_ERASE") + " failed: No such device");
    }
  }

  // ---------------------------------------------------------------- mount and umount

  /**
   * {@code mount -t lustre} (or {@code -t lustre,lustre_tgt}) lists; {@code mount -t lustre -o
   * OPTIONS SOURCE DIR} mounts a piece or a client. The simulated servers' own targets are not
   * listed: they are mounted as lustre_tgt by the VM's setup, which the simulation does not run.
   */
  String mount(List<String> args) throws Failure {
    if (args.equals(List.of("-t", "lustre")) || args.equals(List.of("-t", "lustre,lustre_tgt"))) {
      return list();
    }
    if (args.size() != 6 || !args.get(0).equals("-t") || !args.get(1).equals("lustre") || !args.get(2).equals("-o")) {
      throw new Failure(1, "mount: the simulation knows mount -t lustre and mount -t lustre -o OPTIONS SOURCE DIR; not '" + String.join(" ", args) + "'");
    }
    List<String> options = List.of(args.get(3).split(","));
    String source = args.get(4);
    Path mountPoint = Path.of(args.get(5));
    if (!Files.isDirectory(mountPoint, LinkOption.NOFOLLOW_LINKS)) {
      throw new Failure(ENOENT, "mount.lustre: mount point " + mountPoint + " does not exist");
    }
    if (mountedAt(mountPoint)) {
      throw failed(source, mountPoint, EBUSY, "Device or resource busy");
    }
    return source.contains(":/") ? mountClient(source, options, mountPoint) : mountPiece(source, options, mountPoint);
  }

  private String list() {
    StringBuilder out = new StringBuilder();
    for (PieceMount m : zfs().pieceMounts()) {
      if (m.server().equals(serverName)) {
        String svname = ownProperty(m.snapshot(), "lustre:svname").orElse("?");
        out.append(m.snapshot()).append(" on ").append(m.mountPoint()).append(" type lustre (ro,svname=").append(svname)
            .append(',').append(String.join(",", m.options())).append(",osd=osd-zfs)\n");
      }
    }
    for (ClientMount m : zfs().clientMounts()) {
      if (m.server().equals(serverName)) {
        // The options given, then the defaults a 2.16 client shows (mount_t_lustre.txt).
        List<String> shown = new java.util.ArrayList<>(m.options());
        for (String option : List.of("checksum", "flock", "nouser_xattr", "lruresize", "lazystatfs", "nouser_fid2path", "verbose", "encrypt",
            "statfs_project")) {
          if (!shown.contains(option) && !shown.contains(option.startsWith("no") ? option.substring(2) : "no" + option)) {
            shown.add(option);
          }
        }
        out.append(m.source()).append(" on ").append(m.mountPoint()).append(" type lustre (").append(String.join(",", shown)).append(")\n");
      }
    }
    return out.toString();
  }

  /**
   * A piece: this server's snapshot of one of its targets, mounted read-only. It registers with
   * the MGS under its own svname, so it must be tagged (an untagged piece would claim the live
   * target's name, which is running) and its snapshot filesystem forked.
   */
  private String mountPiece(String source, List<String> options, Path mountPoint) throws Failure {
    int at = source.indexOf('@');
    Optional<Target> target = at <= 0 ? Optional.empty() : servers.targetOfDataset(serverName, source.substring(0, at));
    if (target.isEmpty() || zfs().get(source.substring(0, at), source.substring(at + 1)).isEmpty()) {
      throw failed(source, mountPoint, ENOENT, "No such file or directory");
    }
    if (!options.contains("rdonly_dev")) {
      throw failed(source, mountPoint, EROFS, "Read-only file system");
    }
    Optional<String> svname = ownProperty(source, "lustre:svname");
    Optional<String> snapshotFsName = ownProperty(source, "lustre:fsname");
    if (svname.isEmpty() || snapshotFsName.isEmpty()) {
      throw failed(source, mountPoint, EALREADY, "Operation already in progress");
    }
    if (zfs().forkedFrom(snapshotFsName.get()).isEmpty()) {
      throw failed(source, mountPoint, ENOENT, "No such file or directory");
    }
    if (zfs().pieceMounts().stream().anyMatch(m -> m.snapshot().equals(source))) {
      throw failed(source, mountPoint, EALREADY, "Operation already in progress");
    }
    zfs().mounted(new PieceMount(serverName, source, mountPoint.toAbsolutePath().normalize(), List.copyOf(options)));
    return "";
  }

  /**
   * A client of a snapshot: its filesystem name must be forked on the MGS the NIDs name, and
   * MDT0's piece and the piece of every OST the snapshot holds mounted; then the namespace MDT0's snapshot captured is
   * bound read-only at the mount point.
   */
  private String mountClient(String source, List<String> options, Path mountPoint) throws Failure {
    int sep = source.indexOf(":/");
    String nids = source.substring(0, sep);
    String snapshotFsName = source.substring(sep + 2);
    Optional<String> origin = zfs().forkedFrom(snapshotFsName);
    boolean mgsNamed = origin.isPresent() && servers.targets(origin.get()).stream()
        .filter(t -> t.kind() == TargetKind.MGT)
        .flatMap(t -> servers.server(t.server()).stream())
        .anyMatch(mgs -> Arrays.asList(nids.split("[,:]")).contains(mgs.nid()));
    if (!mgsNamed) {
      throw new Failure(ENOENT, "mount.lustre: mount " + source + " at " + mountPoint + " failed: No such file or directory\n"
          + "Is the MGS specification correct?\nIs the filesystem name correct?\nIf upgrading, is the copied client log valid? (see upgrade docs)");
    }
    String capturedBy = null;
    for (Target t : servers.targets(origin.get())) {
      if (t.kind() == TargetKind.MGT || (t.kind() == TargetKind.MDT && t.index() != 0)) {
        continue;
      }
      String dataset = SimulatedServers.dataset(t);
      Optional<String> piece = zfs().ordered(dataset).stream().map(Map.Entry::getKey)
          .filter(name -> snapshotFsName.equals(ownProperty(dataset + "@" + name, "lustre:fsname").orElse(null)))
          .map(name -> dataset + "@" + name).findFirst();
      if (piece.isEmpty() && t.kind() == TargetKind.OST) {
        // An OST with no piece of this snapshot was added after it was taken: the configuration
        // forked for the snapshot does not name it, so its client never looks for it.
        continue;
      }
      boolean pieceMounted = piece.isPresent() && zfs().pieceMounts().stream().anyMatch(m -> m.snapshot().equals(piece.get()));
      if (!pieceMounted) {
        // The client cannot reach the target: mount.lustre gives up with EIO.
        throw failed(source, mountPoint, EIO, "Input/output error (" + snapshotFsName + "-" + t.name().toString().substring(t.fsName().length() + 1)
            + " is not mounted)");
      }
      if (t.kind() == TargetKind.MDT) {
        capturedBy = piece.get();
      }
    }
    SimulatedZfsSnapshots.Captured captured = capturedBy == null ? null : zfs().captured(capturedBy).orElse(null);
    if (captured == null) {
      throw failed(source, mountPoint, EIO, "Input/output error (no MDT0000 piece)");
    }
    try {
      servers.mounter().bind(captured.root(), mountPoint, List.of("ro"));
    } catch (CommandFailedException e) {
      throw failed(source, mountPoint, EIO, "Input/output error (" + e.getMessage() + ")");
    }
    zfs().mounted(new ClientMount(serverName, source, snapshotFsName, mountPoint.toAbsolutePath().normalize(), capturedBy, List.copyOf(options)));
    return "";
  }

  /**
   * {@code umount DIR} of a snapshot client (a real unmount of its bind) or of a piece (busy
   * while a client of its snapshot is mounted anywhere); empty when nothing of a snapshot is
   * mounted at DIR on this server, so the caller can try the targets.
   */
  Optional<String> umount(Path mountPoint) throws Failure {
    Path at = mountPoint.toAbsolutePath().normalize();
    Optional<ClientMount> client = zfs().clientMounts().stream().filter(m -> m.server().equals(serverName) && m.mountPoint().equals(at)).findFirst();
    if (client.isPresent()) {
      try {
        servers.mounter().unmount(at);
      } catch (CommandFailedException e) {
        throw new Failure(MOUNT_FAILURE, "umount: " + at + ": " + e.getMessage());
      }
      zfs().unmounted(client.get());
      return Optional.of("");
    }
    Optional<PieceMount> piece = zfs().pieceMounts().stream().filter(m -> m.server().equals(serverName) && m.mountPoint().equals(at)).findFirst();
    if (piece.isEmpty()) {
      return Optional.empty();
    }
    String snapshotFsName = ownProperty(piece.get().snapshot(), "lustre:fsname").orElse("");
    if (zfs().clientMounts().stream().anyMatch(c -> c.snapshotFsName().equals(snapshotFsName))) {
      throw new Failure(MOUNT_FAILURE, "umount: " + at + ": target is busy.");
    }
    zfs().unmounted(piece.get());
    return Optional.of("");
  }

  /** The captured namespace a path of this server's snapshot client mounts lies in, and the path relative to its root. */
  Optional<Map.Entry<SimulatedZfsSnapshots.Captured, String>> locateInClient(Path path) {
    Path normal = path.toAbsolutePath().normalize();
    for (ClientMount m : zfs().clientMounts()) {
      if (m.server().equals(serverName) && normal.startsWith(m.mountPoint())) {
        Optional<SimulatedZfsSnapshots.Captured> captured = zfs().captured(m.capturedSnapshot());
        if (captured.isPresent()) {
          return Optional.of(Map.entry(captured.get(), m.mountPoint().relativize(normal).toString()));
        }
      }
    }
    return Optional.empty();
  }

  private boolean mountedAt(Path mountPoint) {
    Path at = mountPoint.toAbsolutePath().normalize();
    return zfs().pieceMounts().stream().anyMatch(m -> m.mountPoint().equals(at))
        || zfs().clientMounts().stream().anyMatch(m -> m.mountPoint().equals(at));
  }

  private Optional<String> ownProperty(String snapshot, String property) {
    int at = snapshot.indexOf('@');
    return zfs().get(snapshot.substring(0, at), snapshot.substring(at + 1)).map(s -> s.properties().get(property));
  }

  private static Failure failed(String source, Path mountPoint, int errno, String what) {
    return new Failure(errno, "mount.lustre: mount " + source + " at " + mountPoint + " failed: " + what);
  }
}
