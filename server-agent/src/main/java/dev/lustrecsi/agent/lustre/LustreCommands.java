package dev.lustrecsi.agent.lustre;

import dev.lustrecsi.common.exec.Command;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Lustre command lines the agent runs, as argument arrays in the exact syntax of the Lustre
 * manual pages (reference: lfs-setstripe, lfs-project, lfs-setquota, lfs-quota, lfs-df, lctl).
 *
 * <p>Timeouts are short for what reads a proc file and longer for what walks a directory tree
 * ({@code lfs project -r}) or talks to every OST ({@code lfs df}, {@code lfs setquota}): a hung
 * target must cost one failed call, never a stuck agent.
 */
public final class LustreCommands {
  static final Duration QUICK = Duration.ofSeconds(10);
  static final Duration SERVERS = Duration.ofSeconds(60);
  static final Duration TREE_WALK = Duration.ofMinutes(10);

  private LustreCommands() {}

  /** {@code lfs setstripe [-c N] [-S SIZE] [-p POOL] DIR}: the default layout for files created in DIR afterwards. */
  public static Command setStripe(Path directory, Striping striping) {
    List<String> argv = new ArrayList<>(List.of("lfs", "setstripe"));
    if (striping.count() != 0) {
      argv.addAll(List.of("-c", Integer.toString(striping.count())));
    }
    if (striping.sizeBytes() != 0) {
      argv.addAll(List.of("-S", Striping.sizeArgument(striping.sizeBytes())));
    }
    if (!striping.pool().isEmpty()) {
      argv.addAll(List.of("-p", striping.pool()));
    }
    argv.add(directory.toString());
    return new Command(argv, SERVERS);
  }

  /** {@code lfs project -p ID -s -r DIR}: tags DIR and all below with the project, inherited by new files. */
  public static Command setProject(Path directory, long projectId) {
    return new Command(List.of("lfs", "project", "-p", Long.toString(projectId), "-s", "-r", directory.toString()), TREE_WALK);
  }

  /** {@code lfs project -d DIR}: the directory's own project id and inherit flag. */
  public static Command projectOf(Path directory) {
    return new Command(List.of("lfs", "project", "-d", directory.toString()), SERVERS);
  }

  /** {@code lfs check servers}: whether each of this client's connections to the servers is active. */
  public static Command checkServers() {
    return new Command(List.of("lfs", "check", "servers"), SERVERS);
  }

  /**
   * {@code lctl get_param osc.FSNAME-*.state mdc.FSNAME-*.state}: the state of this client's
   * import of each OST and MDT of the filesystem (a proc file each: quick).
   */
  public static Command importStates(String fsName) {
    return new Command(List.of("lctl", "get_param", "osc." + fsName + "-*.state", "mdc." + fsName + "-*.state"), QUICK);
  }

  /** {@code lfs setquota -p ID -B <KiB>k MOUNT}: the project's hard block limit; 0 means unlimited. */
  public static Command setProjectBlockLimit(Path mount, long projectId, long limitKib) {
    return new Command(List.of("lfs", "setquota", "-p", Long.toString(projectId), "-B", limitKib + "k", mount.toString()), SERVERS);
  }

  /** {@code lfs setquota --delete -p ID MOUNT}: forgets the project's limits and its quota entry. */
  public static Command deleteProjectQuota(Path mount, long projectId) {
    return new Command(List.of("lfs", "setquota", "--delete", "-p", Long.toString(projectId), mount.toString()), SERVERS);
  }

  /** {@code lfs quota -p ID MOUNT}: usage and limits of one project. */
  public static Command projectQuota(Path mount, long projectId) {
    return new Command(List.of("lfs", "quota", "-p", Long.toString(projectId), mount.toString()), SERVERS);
  }

  /** {@code lfs df MOUNT}: capacity and usage of every MDT and OST, in KiB. */
  public static Command df(Path mount) {
    return new Command(List.of("lfs", "df", mount.toString()), SERVERS);
  }

  /** {@code lfs getname MOUNT}: the client instance (FSNAME-INSTANCE) behind a mount point. */
  public static Command getName(Path mount) {
    return new Command(List.of("lfs", "getname", mount.toString()), QUICK);
  }

  /** {@code lctl get_param -n health_check}: "healthy", "NOT HEALTHY" or "LBUG"; exits 0 in every case. */
  public static Command healthCheck() {
    return new Command(List.of("lctl", "get_param", "-n", "health_check"), QUICK);
  }

  /** {@code lctl dl}: the Lustre devices on this node, the server targets among them. */
  public static Command deviceList() {
    return new Command(List.of("lctl", "dl"), QUICK);
  }

  /** {@code lctl list_nids}: this node's LNet NIDs. */
  public static Command listNids() {
    return new Command(List.of("lctl", "list_nids"), QUICK);
  }

  /**
   * {@code lctl get_param obdfilter.*.recovery_status mdt.*.recovery_status}, asking only for the
   * kinds the node serves ({@link TargetKind#OST}, {@link TargetKind#MDT}): lctl exits 2 when a
   * node has no target of a kind it is asked about (and still prints the other's), so asking an
   * OSS about MDTs would be a failed command on every health call of every healthy server.
   *
   * @return empty when {@code kinds} holds neither: there is no recovery to read
   */
  public static Optional<Command> recoveryStatus(Set<TargetKind> kinds) {
    List<String> argv = new ArrayList<>(List.of("lctl", "get_param"));
    if (kinds.contains(TargetKind.OST)) {
      argv.add("obdfilter.*.recovery_status");
    }
    if (kinds.contains(TargetKind.MDT)) {
      argv.add("mdt.*.recovery_status");
    }
    return argv.size() == 2 ? Optional.empty() : Optional.of(new Command(argv, QUICK));
  }

  /**
   * {@code lctl barrier_freeze FSNAME TIMEOUT}, run on the MGS: blocks metadata changes on every
   * MDT until thawed or until TIMEOUT seconds pass. Prints nothing when it succeeds.
   */
  public static Command barrierFreeze(String fsName, int timeoutSeconds) {
    return new Command(List.of("lctl", "barrier_freeze", fsName, Integer.toString(timeoutSeconds)), SERVERS);
  }

  /** {@code lctl barrier_thaw FSNAME}, run on the MGS: lifts the barrier. Prints nothing when it succeeds. */
  public static Command barrierThaw(String fsName) {
    return new Command(List.of("lctl", "barrier_thaw", fsName), SERVERS);
  }

  /** {@code lctl barrier_stat FSNAME}, run on the MGS: the barrier's state and remaining lifetime. */
  public static Command barrierStat(String fsName) {
    return new Command(List.of("lctl", "barrier_stat", fsName), QUICK);
  }

  /** {@code lfs --version}: "lfs 2.16.1". */
  public static Command version() {
    return new Command(List.of("lfs", "--version"), QUICK);
  }

  /** A file migration may copy gigabytes; one stuck file must still end. */
  static final Duration MIGRATE = Duration.ofMinutes(30);

  /**
   * {@code lctl set_param osp.FS-OSTxxxx-osc-MDT*.max_create_count=0} on the MDS: the MDS makes
   * no new objects on the OST (the manual's first step of removing one). Lost when the MDT is
   * mounted again.
   */
  public static Command stopOstCreation(TargetName ost) {
    return new Command(List.of("lctl", "set_param", "osp." + ost + "-osc-MDT*.max_create_count=0"), QUICK);
  }

  /**
   * {@code lctl get_param -n osp.FS-OSTxxxx-osc-MDT*.max_create_count} on the MDS: one number a
   * line, one line per MDT; 0 while creation on the OST is stopped there, Lustre's default again
   * once the MDT has been mounted again.
   */
  public static Command ostCreationLimits(TargetName ost) {
    return new Command(List.of("lctl", "get_param", "-n", "osp." + ost + "-osc-MDT*.max_create_count"), QUICK);
  }

  /** {@code lfs find MOUNT --ost INDEX}: every file with an object on the OST, one path per line. */
  public static Command findOnOst(Path mount, int ostIndex) {
    return new Command(List.of("lfs", "find", mount.toString(), "--ost", Integer.toString(ostIndex)), TREE_WALK);
  }

  /**
   * {@code lfs migrate FILE}: rewrites the file's objects with its own layout, on OSTs the MDS
   * still allocates on (the successor of the deprecated lfs_migrate script).
   */
  public static Command migrate(Path file) {
    return new Command(List.of("lfs", "migrate", file.toString()), MIGRATE);
  }

  /** {@code lfs getstripe -p FILE}: the OST pool the file's objects are made in, alone on its line; an empty line for none. */
  public static Command filePool(Path file) {
    return new Command(List.of("lfs", "getstripe", "-p", file.toString()), QUICK);
  }

  /** {@code lctl pool_list FSNAME.POOL}: "Pool: FSNAME.POOL", then each of the pool's OSTs by UUID, one a line. */
  public static Command poolList(String fsName, String pool) {
    return new Command(List.of("lctl", "pool_list", fsName + "." + pool), QUICK);
  }

  /**
   * {@code lctl --device MGS llog_print LOG}: one configuration log on the MGS, in YAML: the
   * clients' ({@code FSNAME-client}) or an MDT's ({@code FSNAME-MDTxxxx}).
   */
  public static Command configLog(String logName) {
    return new Command(List.of("lctl", "--device", "MGS", "llog_print", logName), SERVERS);
  }

  /** {@code lctl get_param mgs.MGS.live.FSNAME} on the MGS: the filesystem's registered targets (mgs_live_lfs.txt). */
  public static Command mgsLive(String fsName) {
    return new Command(List.of("lctl", "get_param", "mgs.MGS.live." + fsName), QUICK);
  }

  /**
   * {@code lctl set_param -P osc.FS-OSTxxxx-*.active=0} on the MGS: deactivates the OST on the
   * MDS and every client, permanently (the set_param -P form of the deprecated conf_param).
   */
  public static Command deactivateOst(TargetName ost) {
    return new Command(List.of("lctl", "set_param", "-P", "osc." + ost + "-*.active=0"), SERVERS);
  }

  /** {@code lctl --device MGS del_ost --target FS-OSTxxxx}: cancels the OST's records in the configuration logs (2.16). */
  public static Command deleteOst(TargetName ost) {
    return new Command(List.of("lctl", "--device", "MGS", "del_ost", "--target", ost.toString()), SERVERS);
  }

  /** {@code umount DIR}: unmounts a target mounted there. */
  public static Command unmount(Path mountPoint) {
    return new Command(List.of("umount", mountPoint.toString()), SERVERS);
  }

  /** {@code zpool export POOL}: lets go of a target's ZFS pool, so its disk can be detached. */
  /** {@code zfs set lustre-csi:released=yes DATASET}: see {@link TargetPaths#RELEASED_PROPERTY}. */
  public static Command markReleased(String dataset) {
    return new Command(List.of("zfs", "set", TargetPaths.RELEASED_PROPERTY + "=yes", dataset), SERVERS);
  }

  public static Command exportPool(String pool) {
    return new Command(List.of("zpool", "export", pool), SERVERS);
  }

  /**
   * {@code lctl fork_lcfg FSNAME SNAPFS} on the MGS: copies the filesystem's configuration logs
   * under the snapshot's filesystem name, which the snapshot's targets and client then use.
   */
  public static Command forkConfig(String fsName, String snapshotFsName) {
    return new Command(List.of("lctl", "fork_lcfg", fsName, snapshotFsName), SERVERS);
  }

  /** {@code lctl erase_lcfg SNAPFS -q} on the MGS: removes a snapshot's forked configuration logs (-q as lsnapshot passes it). */
  public static Command eraseConfig(String snapshotFsName) {
    return new Command(List.of("lctl", "erase_lcfg", snapshotFsName, "-q"), SERVERS);
  }

  /**
   * {@code mount -t lustre -o OPTIONS DATASET@NAME DIR}: a target's snapshot mounted read-only
   * ({@code rdonly_dev}), as {@code lctl snapshot_mount} mounts each piece.
   */
  public static Command mountTargetSnapshot(String dataset, String name, List<String> options, Path mountPoint) {
    return new Command(List.of("mount", "-t", "lustre", "-o", String.join(",", options), dataset + "@" + name, mountPoint.toString()), SERVERS);
  }

  /**
   * {@code mount -t lustre -o ro,user_xattr MGSNIDS:/SNAPFS DIR}: a read-only client of a mounted
   * snapshot. {@code user_xattr} because a client mounts without it by default
   * (mount_t_lustre.txt shows nouser_xattr), and a restore copies the files' user xattrs.
   */
  public static Command mountSnapshotClient(String mgsNids, String snapshotFsName, Path mountPoint) {
    return new Command(List.of("mount", "-t", "lustre", "-o", "ro,user_xattr", mgsNids + ":/" + snapshotFsName, mountPoint.toString()), SERVERS);
  }

  /**
   * {@code mount -t lustre,lustre_tgt}: the Lustre mounts of this node, one "SOURCE on DIR type
   * TYPE (OPTIONS)" line each. Both types: a target mounted with {@code -t lustre} is listed as
   * lustre (mount_t_lustre.txt), and 2.16's {@code lustre_tgt} as that, so a piece is found
   * whichever a Lustre release records.
   */
  public static Command lustreMounts() {
    return new Command(List.of("mount", "-t", "lustre,lustre_tgt"), QUICK);
  }

  /**
   * {@code lfs getstripe -d -R DIR}: the directory's own default layout, without its contents.
   * Raw ({@code -R}), because without it lfs prints the filesystem's default count and size in
   * place of the zeros of a directory that sets none (liblustreapi fills them in for display), and
   * a copy would then pin those on directories meant to inherit their parent's.
   */
  public static Command defaultLayout(Path directory) {
    return new Command(List.of("lfs", "getstripe", "-d", "-R", directory.toString()), SERVERS);
  }
}
