package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.sandbox.lustre.LustreOutputFormat.DfRow;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Filesystem;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Layout;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Project;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Server;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The Lustre commands of one server VM, simulated over {@link SimulatedServers}: what the agent's
 * {@link CommandRunner} runs in the sandbox instead of the real lfs and lctl. It understands the
 * command lines the agent runs and prints outputs in the real tools' formats; any other program,
 * subcommand or option fails with exit code 22 and a usage message, as the real tools do, so a
 * command the simulation does not know can never pass as done.
 *
 * <p>Scoped to one server: {@code lctl dl}, {@code list_nids} and {@code recovery_status} show
 * that server's own targets. While the server is down every lctl command fails as it does before
 * the Lustre modules load, and filesystem operations whose MDT is not mounted hang until the
 * runner's timeout, as a client call to a dead MDS does.
 */
public final class SimulatedLustreCommands implements CommandRunner {
  static final String VERSION = "2.16.1";
  private static final int EINVAL = 22;
  static final int ENOENT = 2;
  private static final int ENODEV = 19;
  private static final int EALREADY = 114;

  private final SimulatedServers servers;
  private final String serverName;
  private final SimulatedSnapshotCommands snapshots;

  public SimulatedLustreCommands(SimulatedServers servers, String serverName) {
    this.servers = servers;
    this.serverName = serverName;
    this.snapshots = new SimulatedSnapshotCommands(servers, serverName);
  }

  /** A failed command: exit code and stderr. */
  static class Failure extends Exception {
    final int exitCode;

    Failure(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }

  /** A command that would block: the runner's timeout ends it. */
  private static final class Hang extends Exception {
    Hang(String why) {
      super(why);
    }
  }

  @Override
  public CommandResult run(Command command) throws CommandFailedException {
    List<String> argv = command.argv();
    servers.beforeCommand(serverName, argv);
    try {
      String out = switch (argv.getFirst()) {
        case "lfs" -> lfs(argv.subList(1, argv.size()), command.timeout());
        case "lctl" -> lctl(argv.subList(1, argv.size()));
        case "zfs" -> snapshots.zfs(argv.subList(1, argv.size()));
        case "mount" -> snapshots.mount(argv.subList(1, argv.size()));
        case "umount" -> argv.size() == 2 ? snapshots.umount(Path.of(argv.get(1))).orElse(null) : null;
        case "zpool" -> SimulatedOstRemoval.zpool(servers, serverName, argv.subList(1, argv.size()));
        default -> throw new Failure(127, argv.getFirst() + ": command not found");
      };
      if (out == null) {
        out = SimulatedOstRemoval.umount(servers, serverName, argv.subList(1, argv.size()));
      }
      return new CommandResult(command, 0, out, "");
    } catch (PartialFailure f) {
      return new CommandResult(command, f.exitCode, f.stdout, f.getMessage() + "\n");
    } catch (Failure f) {
      return new CommandResult(command, f.exitCode, "", f.getMessage() + "\n");
    } catch (Hang h) {
      throw new CommandFailedException(command, "timed out after " + command.timeout().toSeconds() + "s (" + h.getMessage() + ")");
    }
  }

  // ---------------------------------------------------------------- lctl

  private String lctl(List<String> args) throws Failure {
    if (args.equals(List.of("--version"))) {
      return "lctl " + VERSION + "\n";
    }
    Server server = servers.server(serverName).orElseThrow(() -> new Failure(ENOENT, "lctl: no server " + serverName));
    if (args.isEmpty()) {
      throw usage("lctl", "lctl: missing command");
    }
    String sub = args.getFirst();
    List<String> rest = args.subList(1, args.size());
    if (!server.up()) {
      // Before the Lustre modules load (health_check_after_crash.txt).
      throw new Failure(ENOENT, sub.equals("get_param")
          ? rest.stream().filter(p -> !p.startsWith("-")).map(p -> "error: get_param: param_path '" + p.replace('.', '/') + "': No such file or directory")
              .reduce((a, b) -> a + "\n" + b).orElse("error: get_param: no parameters")
          : "opening /dev/lnet failed: No such device");
    }
    return switch (sub) {
      case "dl" -> {
        requireNoArgs("lctl dl", rest);
        yield deviceList(server);
      }
      case "list_nids" -> {
        requireNoArgs("lctl list_nids", rest);
        yield server.nid() + "\n";
      }
      case "get_param" -> getParam(rest);
      case "barrier_freeze", "barrier_thaw", "barrier_stat" -> barrier(sub, rest);
      case "set_param" -> SimulatedOstRemoval.setParam(servers, serverName, rest);
      case "fork_lcfg" -> snapshots.fork(rest);
      case "erase_lcfg" -> snapshots.erase(rest);
      case "--device" -> SimulatedOstRemoval.mgsDevice(servers, serverName, rest);
      case "pool_list" -> poolList(rest);
      default -> throw usage("lctl", "lctl: unknown command '" + sub + "'");
    };
  }

  /**
   * {@code lctl pool_list FSNAME.POOL}: the pool's name, then each of its OSTs by UUID, one a line
   * (the reference's "Pool: fs1.rdma" and "fs1-OST0000_UUID" lines). A pool that does not exist
   * fails; the wording is the simulation's.
   */
  private String poolList(List<String> args) throws Failure {
    if (args.size() != 1 || !args.getFirst().matches("[A-Za-z0-9_-]{1,8}\\.[A-Za-z0-9][A-Za-z0-9_.-]{0,14}")) {
      throw usage("lctl pool_list", "lctl pool_list: the simulation knows lctl pool_list FSNAME.POOL");
    }
    String fsName = args.getFirst().substring(0, args.getFirst().indexOf('.'));
    String pool = args.getFirst().substring(fsName.length() + 1);
    if (servers.filesystem(fsName).isEmpty()) {
      throw new Failure(ENOENT, "error: pool_list: " + args.getFirst() + ": No such file or directory");
    }
    List<Integer> members = servers.poolMembers(fsName, pool)
        .orElseThrow(() -> new Failure(ENOENT, "error: pool_list: " + args.getFirst() + ": No such file or directory"));
    StringBuilder out = new StringBuilder("Pool: ").append(args.getFirst()).append('\n');
    members.forEach(i -> out.append(new TargetName(fsName, TargetKind.OST, i)).append("_UUID\n"));
    return out.toString();
  }

  /**
   * The write barrier commands, which only the MGS serves (Lustre manual, "Global Write
   * Barriers"): freeze and thaw print nothing when they succeed, stat prints the state and, while
   * frozen, the seconds left. Errors are one line naming the filesystem and errno.
   */
  private String barrier(String sub, List<String> args) throws Failure {
    int maxArgs = sub.equals("barrier_freeze") ? 2 : 1;
    if (args.isEmpty() || args.size() > maxArgs) {
      throw usage("lctl " + sub, "lctl " + sub + ": expected <fsname>" + (maxArgs == 2 ? " [timeout]" : ""));
    }
    String fsName = args.getFirst();
    String verb = sub.substring("barrier_".length());
    boolean mgs = servers.targetsOf(serverName).stream().anyMatch(t -> t.kind() == TargetKind.MGT && t.mounted() && t.fsName().equals(fsName));
    if (!mgs) {
      throw new Failure(ENODEV, "Fail to " + verb + " barrier on filesystem " + fsName + ": No such device");
    }
    return switch (sub) {
      case "barrier_freeze" -> {
        int seconds = args.size() == 2 ? (int) number("lctl barrier_freeze", "timeout", args.get(1), 1, 3600) : 30;
        if (!servers.freeze(fsName, seconds)) {
          throw new Failure(EALREADY, "Fail to freeze barrier on filesystem " + fsName + ": Operation already in progress");
        }
        yield "";
      }
      case "barrier_thaw" -> {
        if (!servers.thaw(fsName)) {
          throw new Failure(EINVAL, "Fail to thaw barrier on filesystem " + fsName + ": Invalid argument");
        }
        yield "";
      }
      default -> {
        SimulatedServers.Barrier barrier = servers.barrier(fsName);
        String out = "The barrier for " + fsName + " is in '" + barrier.state() + "'\n";
        if (barrier.state().equals("frozen")) {
          long left = Math.max(0, Math.ceilDiv(barrier.expiresAtMillis() - servers.clock().millis(), 1000));
          out += "The barrier will be expired after " + left + " seconds\n";
        }
        yield out;
      }
    };
  }

  /**
   * A metadata change while the filesystem's barrier is frozen blocks until it is thawed or
   * expires, as the MDT holds it; past the command's timeout it is a hang like any other.
   */
  private void awaitBarrier(String fsName, Duration timeout) throws Hang {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (servers.frozen(fsName)) {
      if (System.nanoTime() >= deadline) {
        throw new Hang("the write barrier of " + fsName + " is frozen");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Hang("interrupted while the write barrier of " + fsName + " is frozen");
      }
    }
  }

  // ---------------------------------------------------------------- zfs

  private String getParam(List<String> args) throws Failure {
    boolean valuesOnly = false;
    List<String> params = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("-n")) {
        valuesOnly = true;
      } else if (arg.startsWith("-")) {
        throw usage("lctl get_param", "get_param: invalid option -- '" + arg.substring(1) + "'");
      } else {
        params.add(arg);
      }
    }
    if (params.isEmpty()) {
      throw usage("lctl get_param", "get_param: no parameters given");
    }
    StringBuilder out = new StringBuilder();
    List<String> missing = new ArrayList<>();
    for (String param : params) {
      String value = switch (param) {
        case "health_check" -> (valuesOnly ? "" : "health_check=") + "healthy\n";
        case "version" -> (valuesOnly ? "" : "version=") + VERSION + "\n";
        case "obdfilter.*.recovery_status" -> recoveryStatus("obdfilter", TargetKind.OST);
        case "mdt.*.recovery_status" -> recoveryStatus("mdt", TargetKind.MDT);
        default -> {
          java.util.regex.Matcher live = MGS_LIVE.matcher(param);
          if (live.matches()) {
            yield SimulatedOstRemoval.mgsLive(servers, serverName, live.group(1), valuesOnly);
          }
          java.util.regex.Matcher maxCreate = MAX_CREATE_COUNT.matcher(param);
          if (maxCreate.matches()) {
            yield SimulatedOstRemoval.maxCreateCount(servers, serverName, maxCreate.group(1), Integer.parseInt(maxCreate.group(2), 16), valuesOnly);
          }
          java.util.regex.Matcher imports = IMPORT_STATE.matcher(param);
          if (!imports.matches()) {
            throw usage("lctl get_param", "error: get_param: the simulation does not know '" + param + "'");
          }
          yield importStates(imports.group(1), imports.group(2));
        }
      };
      if (value.isEmpty()) {
        missing.add("error: get_param: param_path '" + param.replace('.', '/') + "': No such file or directory");
      }
      out.append(value);
    }
    if (!missing.isEmpty()) {
      // lctl prints what it found and still exits 2 (recovery_status_during.txt).
      throw new PartialFailure(out.toString(), String.join("\n", missing));
    }
    return out.toString();
  }

  private static final java.util.regex.Pattern MGS_LIVE = java.util.regex.Pattern.compile("mgs\\.MGS\\.live\\.([A-Za-z0-9_-]{1,8})");
  private static final java.util.regex.Pattern MAX_CREATE_COUNT =
      java.util.regex.Pattern.compile("osp\\.([A-Za-z0-9_-]{1,8})-OST([0-9a-f]{4})-osc-MDT\\*\\.max_create_count");
  private static final java.util.regex.Pattern IMPORT_STATE = java.util.regex.Pattern.compile("(osc|mdc)\\.([A-Za-z0-9_-]{1,8})-\\*\\.state");

  /**
   * {@code osc.FSNAME-*.state} or {@code mdc.FSNAME-*.state} on a client: each import's
   * current_state and history (lprocfs_state_seq_show), FULL while its target is mounted, REPLAY
   * while the target recovers, DISCONN while it is down.
   */
  private String importStates(String type, String fsName) {
    long now = servers.clock().millis();
    StringBuilder out = new StringBuilder();
    for (Target t : servers.targets(fsName)) {
      boolean wanted = type.equals("osc") ? t.kind() == TargetKind.OST && t.registered() : t.kind() == TargetKind.MDT;
      if (!wanted) {
        continue;
      }
      String state = !t.mounted() ? "DISCONN"
          : t.recoveryStartMillis() != 0 && now < t.recoveryStartMillis() + servers.recoveryWindow().toMillis() ? "REPLAY" : "FULL";
      out.append(type).append('.').append(t.name()).append('-').append(type).append('-').append(instance(fsName)).append(".state=\n")
          .append("current_state: ").append(state).append("\nstate_history:\n")
          .append(" - [ ").append(now / 1000).append(", ").append(state).append(" ]\n");
    }
    return out.toString();
  }

  /** lctl get_param printed some parameters and failed on others. */
  private static final class PartialFailure extends Failure {
    final String stdout;

    PartialFailure(String stdout, String stderr) {
      this(stdout, stderr, ENOENT);
    }

    PartialFailure(String stdout, String stderr, int exitCode) {
      super(exitCode, stderr);
      this.stdout = stdout;
    }
  }

  private String recoveryStatus(String prefix, TargetKind kind) {
    long now = servers.clock().millis();
    long window = servers.recoveryWindow().toMillis();
    StringBuilder out = new StringBuilder();
    for (Target t : servers.targetsOf(serverName)) {
      if (t.kind() != kind || !t.mounted()) {
        continue;
      }
      String parameter = prefix + "." + t.name() + ".recovery_status";
      long start = t.recoveryStartMillis();
      if (start == 0) {
        out.append(LustreOutputFormat.recoveryStatus(parameter, "INACTIVE", 0, 0, 0));
      } else if (now < start + window) {
        out.append(LustreOutputFormat.recoveryStatus(parameter, "RECOVERING", start / 1000, Math.ceilDiv(start + window - now, 1000), 1));
      } else {
        out.append(LustreOutputFormat.recoveryStatus(parameter, "COMPLETE", start / 1000, window / 1000, 1));
      }
    }
    return out.toString();
  }

  private String deviceList(Server server) {
    List<Target> mounted = servers.targetsOf(serverName).stream().filter(Target::mounted).toList();
    List<String> lines = new ArrayList<>();
    int[] index = {0};
    java.util.function.Consumer<String[]> add = d -> lines.add(LustreOutputFormat.device(index[0]++, "UP", d[0], d[1], d[2], Integer.parseInt(d[3])));
    for (Target t : mounted) {
      if (t.kind() == TargetKind.MGT) {
        add.accept(new String[] {"osd-ldiskfs", "MGS-osd", "MGS-osd_UUID", "5"});
        add.accept(new String[] {"mgs", "MGS", "MGS", "5"});
      }
    }
    if (!mounted.isEmpty()) {
      add.accept(new String[] {"mgc", "MGC" + server.nid(), UUID.nameUUIDFromBytes(("mgc " + serverName).getBytes()).toString(), "5"});
    }
    boolean mds = false;
    boolean oss = false;
    for (Target t : mounted) {
      String name = t.name().toString();
      if (t.kind() == TargetKind.MDT) {
        String fs = t.fsName();
        String mdd = String.format("%s-MDD%04x", fs, t.index());
        add.accept(new String[] {"osd-ldiskfs", name + "-osd", name + "-osd_UUID", "9"});
        if (!mds) {
          add.accept(new String[] {"mds", "MDS", "MDS_uuid", "3"});
          mds = true;
        }
        add.accept(new String[] {"lod", name + "-mdtlov", name + "-mdtlov_UUID", "4"});
        add.accept(new String[] {"mdt", name, name + "_UUID", "11"});
        add.accept(new String[] {"mdd", mdd, mdd + "_UUID", "4"});
        add.accept(new String[] {"qmt", String.format("%s-QMT%04x", fs, t.index()), String.format("%s-QMT%04x_UUID", fs, t.index()), "4"});
        add.accept(new String[] {"lwp", name + "-lwp-" + bare(name), name + "-lwp-" + bare(name) + "_UUID", "5"});
        for (Target ost : servers.targets(fs)) {
          if (ost.kind() == TargetKind.OST && ost.registered()) {
            add.accept(new String[] {"osp", ost.name() + "-osc-" + bare(name), name + "-mdtlov_UUID", "5"});
          }
        }
      } else if (t.kind() == TargetKind.OST) {
        add.accept(new String[] {"osd-ldiskfs", name + "-osd", name + "-osd_UUID", "5"});
        if (!oss) {
          add.accept(new String[] {"ost", "OSS", "OSS_uuid", "3"});
          oss = true;
        }
        add.accept(new String[] {"obdfilter", name, name + "_UUID", "7"});
        String lwp = t.fsName() + "-MDT0000-lwp-" + bare(name);
        add.accept(new String[] {"lwp", lwp, lwp + "_UUID", "5"});
      }
    }
    return String.join("", lines);
  }

  private static String bare(String targetName) {
    return targetName.substring(targetName.lastIndexOf('-') + 1);
  }

  // ---------------------------------------------------------------- lfs

  private String lfs(List<String> args, Duration timeout) throws Failure, Hang {
    if (args.isEmpty()) {
      throw usage("lfs", "lfs: missing command");
    }
    String sub = args.getFirst();
    List<String> rest = args.subList(1, args.size());
    return switch (sub) {
      case "--version" -> {
        requireNoArgs("lfs --version", rest);
        yield "lfs " + VERSION + "\n";
      }
      case "getname" -> getName(rest);
      case "df" -> df(rest);
      case "setstripe" -> setStripe(rest, timeout);
      case "getstripe" -> getStripe(rest);
      case "project" -> project(rest, timeout);
      case "setquota" -> setQuota(rest, timeout);
      case "quota" -> quota(rest);
      case "find" -> find(rest);
      case "migrate" -> migrate(rest);
      case "check" -> checkServers(rest);
      default -> throw usage("lfs", "lfs: unknown command '" + sub + "'");
    };
  }

  /**
   * {@code lfs check servers} on a client: per filesystem known to the servers, the MGS
   * connection, then each MDT's (mdc) and each registered OST's (osc) connection, active while
   * the target is mounted (lfs_check_servers.txt, without the MDS's own osp lines). Exit code 11
   * (EAGAIN) when any is inactive, with the full list still printed.
   */
  private String checkServers(List<String> args) throws Failure {
    if (!args.equals(List.of("servers"))) {
      throw usage("lfs check", "lfs check: the simulation knows lfs check servers");
    }
    StringBuilder out = new StringBuilder();
    boolean allActive = true;
    for (String fsName : servers.filesystemNames()) {
      List<Target> targets = servers.targets(fsName);
      String instance = instance(fsName);
      for (Target t : targets) {
        if (t.kind() == TargetKind.MGT) {
          Server mgs = servers.server(t.server()).orElseThrow();
          out.append("MGC").append(mgs.nid()).append(t.mounted() ? " active.\n" : " inactive.\n");
          allActive &= t.mounted();
        }
      }
      for (Target t : targets) {
        if (t.kind() == TargetKind.MDT || (t.kind() == TargetKind.OST && t.registered())) {
          out.append(t.name()).append(t.kind() == TargetKind.MDT ? "-mdc-" : "-osc-").append(instance)
              .append(t.mounted() ? " active.\n" : " inactive.\n");
          allActive &= t.mounted();
        }
      }
    }
    if (!allActive) {
      throw new PartialFailure(out.toString(), "lfs check: some servers are not active", 11);
    }
    return out.toString();
  }

  /** The client instance of this node's mount of {@code fsName}, as lfs getname and device names show it. */
  private String instance(String fsName) {
    return HexFormat.of().toHexDigits((long) (serverName + "/" + fsName).hashCode() << 32 | 0xe800L);
  }

  private String getName(List<String> args) throws Failure {
    if (args.size() != 1) {
      throw usage("lfs getname", "lfs getname: expected one mount point");
    }
    String fs = servers.filesystemMountedAt(Path.of(args.getFirst()))
        .orElseThrow(() -> new Failure(ENOENT, "lfs getname: cannot find a Lustre mount at " + args.getFirst()));
    // FSNAME-INSTANCE, the instance a hex value per client mount (lfs_getname.txt).
    String instance = instance(fs);
    return fs + "-" + instance + " " + args.getFirst() + "\n";
  }

  private String df(List<String> args) throws Failure, Hang {
    if (args.size() != 1 || args.getFirst().startsWith("-")) {
      throw usage("lfs df", args.isEmpty() ? "lfs df: the simulation needs a path" : "lfs df: invalid option '" + args.getFirst() + "'");
    }
    Located at = locate("lfs df", args.getFirst());
    requireMdt(at.fsName());
    Filesystem fs = servers.placeObjects(at.fsName());
    Path mount = servers.namespace(at.fsName());
    List<Target> osts = fs.listedOsts();
    NamespaceUsage usage = NamespaceUsage.of(mount, fs, fs.allocating());
    List<DfRow> rows = new ArrayList<>();
    for (Target t : fs.targets()) {
      if (t.kind() == TargetKind.MDT) {
        long used = Math.min(t.capacityKib(), usage.inodes() * NamespaceUsage.MDT_KIB_PER_INODE);
        rows.add(new DfRow(t.name() + "_UUID", "MDT", t.index(), t.capacityKib(), used, t.capacityKib() - used, false));
      }
    }
    for (Target t : osts) {
      if (!t.mounted()) {
        // What lfs prints for an OST it cannot reach (reference: "OST0003 : inactive device").
        rows.add(new DfRow(String.format("OST%04x", t.index()), "OST", t.index(), 0, 0, 0, true));
        continue;
      }
      long used = Math.min(t.capacityKib(), Math.ceilDiv(usage.ostBytes(t.index()), 4096) * 4);
      rows.add(new DfRow(t.name() + "_UUID", "OST", t.index(), t.capacityKib(), used, t.capacityKib() - used, false));
    }
    // Rows name the mount point, whatever path inside the filesystem was asked about (lfs_df_d.txt).
    return LustreOutputFormat.df(mount.toString(), rows);
  }

  private String setStripe(List<String> args, Duration timeout) throws Failure, Hang {
    int count = 0;
    long size = 0;
    String pool = "";
    String dir = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "-c", "--stripe-count" -> count = (int) number("lfs setstripe", arg, value(args, ++i, "lfs setstripe", arg), -1, 2000);
        case "-S", "--stripe-size" -> size = stripeSize(value(args, ++i, "lfs setstripe", arg));
        case "-p", "--pool" -> pool = value(args, ++i, "lfs setstripe", arg);
        default -> {
          if (arg.startsWith("-") || dir != null) {
            throw usage("lfs setstripe", "lfs setstripe: invalid option or extra argument '" + arg + "'");
          }
          dir = arg;
        }
      }
    }
    if (dir == null) {
      throw usage("lfs setstripe", "lfs setstripe: missing directory");
    }
    Located at = existingDirectory("lfs setstripe", dir);
    requireMdt(at.fsName());
    awaitBarrier(at.fsName(), timeout);
    servers.setLayout(at.fsName(), at.relative(), new Layout(count, size, pool));
    return "";
  }

  /**
   * {@code lfs getstripe -d -R DIR}: the directory's own default layout on one line
   * (lfs_getstripe_d_after_reboot.txt), raw: what it does not set is 0, and a directory without a
   * layout of its own prints zeros. A directory of a mounted snapshot answers with the layout the
   * snapshot captured.
   */
  private String getStripe(List<String> args) throws Failure, Hang {
    if (args.size() == 2 && List.of("-p", "--pool").contains(args.getFirst()) && !args.getLast().startsWith("-")) {
      return filePool(args.getLast());
    }
    if (!args.equals(List.of("-d", "-R", args.getLast())) || args.getLast().startsWith("-")) {
      throw usage("lfs getstripe", "lfs getstripe: the simulation knows lfs getstripe -d -R DIR");
    }
    Path dir = Path.of(args.getLast());
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new Failure(ENOENT, "lfs getstripe: cannot open '" + args.getLast() + "': No such file or directory (2)");
    }
    Optional<Layout> layout;
    Optional<Map.Entry<SimulatedZfsSnapshots.Captured, String>> inSnapshot = snapshots.locateInClient(dir);
    if (inSnapshot.isPresent()) {
      layout = Optional.ofNullable(inSnapshot.get().getKey().layouts().get(inSnapshot.get().getValue()));
    } else {
      Located at = existingDirectory("lfs getstripe", args.getLast());
      requireMdt(at.fsName());
      layout = servers.layoutOf(at.fsName(), at.relative());
    }
    Layout shown = layout.orElse(new Layout(0, 0, ""));
    return String.format("stripe_count:  %d stripe_size:   %d pattern:       %s stripe_offset: -1%s%n%n", shown.stripeCount(),
        shown.stripeSizeBytes(), layout.isPresent() ? "raid0" : "0", shown.pool().isEmpty() ? "" : " pool:          " + shown.pool());
  }

  /**
   * {@code lfs getstripe -p FILE}: the pool the file's objects are made in, alone on its line, an
   * empty line for none (lustre-release tests/ost-pools.sh compares {@code lfs getstripe --pool}
   * with the bare pool name).
   */
  private String filePool(String file) throws Failure, Hang {
    if (!Files.isRegularFile(Path.of(file), LinkOption.NOFOLLOW_LINKS)) {
      throw new Failure(ENOENT, "lfs getstripe: cannot open '" + file + "': No such file or directory (2)");
    }
    Located at = locate("lfs getstripe", file);
    requireMdt(at.fsName());
    return servers.poolOf(at.fsName(), at.relative()) + "\n";
  }

  private String project(List<String> args, Duration timeout) throws Failure, Hang {
    long id = -1;
    boolean inherit = false;
    boolean recursive = false;
    boolean show = false;
    String dir = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "-p" -> id = number("lfs project", arg, value(args, ++i, "lfs project", arg), 0, 0xFFFF_FFFEL);
        case "-s" -> inherit = true;
        case "-r" -> recursive = true;
        case "-d" -> show = true;
        default -> {
          if (arg.startsWith("-") || dir != null) {
            throw usage("lfs project", "lfs project: invalid option or extra argument '" + arg + "'");
          }
          dir = arg;
        }
      }
    }
    if (show) {
      if (id >= 0 || inherit || recursive || dir == null) {
        throw usage("lfs project", "lfs project: the simulation shows one directory: lfs project -d DIR");
      }
      Located at = existingDirectory("lfs project", dir);
      requireMdt(at.fsName());
      Project project = servers.projectOf(at.fsName(), at.relative());
      // "%5u %c %s" (lfs_project_d.txt)
      return String.format("%5d %c %s%n", project.id(), project.inherit() ? 'P' : '-', dir);
    }
    if (id < 0 || dir == null) {
      throw usage("lfs project", "lfs project: the simulation knows lfs project -p ID [-s] [-r] DIR and lfs project -d DIR");
    }
    Located at = existingDirectory("lfs project", dir);
    requireMdt(at.fsName());
    awaitBarrier(at.fsName(), timeout);
    List<String> below = List.of();
    if (recursive) {
      Path root = servers.namespace(at.fsName());
      try (Stream<Path> walk = Files.walk(root.resolve(at.relative()))) {
        below = walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).map(p -> root.relativize(p).toString()).toList();
      } catch (IOException e) {
        throw new Failure(5, "lfs project: " + e.getMessage());
      }
    }
    servers.setProject(at.fsName(), at.relative(), below, new Project(id, inherit));
    return "";
  }

  private String setQuota(List<String> args, Duration timeout) throws Failure, Hang {
    long id = -1;
    Long limitKib = null;
    boolean delete = false;
    String mount = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "-p" -> id = number("lfs setquota", arg, value(args, ++i, "lfs setquota", arg), 0, 0xFFFF_FFFEL);
        case "-B" -> limitKib = kib(value(args, ++i, "lfs setquota", arg));
        case "--delete" -> delete = true;
        default -> {
          if (arg.startsWith("-") || mount != null) {
            throw usage("lfs setquota", "lfs setquota: the simulation knows -p ID with -B LIMIT or --delete; not '" + arg + "'");
          }
          mount = arg;
        }
      }
    }
    if (id < 0 || mount == null || delete == (limitKib != null)) {
      throw usage("lfs setquota", "lfs setquota: need -p ID, a mount point, and either -B LIMIT or --delete");
    }
    Located at = mountPoint("lfs setquota", mount);
    requireMdt(at.fsName());
    awaitBarrier(at.fsName(), timeout);
    // A project id belongs to an inode: a directory removed (in Java, by the agent) takes its tag
    // with it. The simulation keys tags by path, so it forgets those of removed directories here,
    // before a directory of the same name could be made again and look tagged.
    servers.pruned(at.fsName());
    if (delete) {
      if (!servers.deleteBlockLimit(at.fsName(), id)) {
        throw new Failure(ENOENT, "lfs setquota: cannot delete quota of prj " + id + ": No such file or directory");
      }
    } else {
      servers.setBlockLimit(at.fsName(), id, limitKib);
    }
    return "";
  }

  private String quota(List<String> args) throws Failure, Hang {
    if (args.size() != 3 || !args.get(0).equals("-p")) {
      throw usage("lfs quota", "lfs quota: the simulation knows lfs quota -p ID MOUNT");
    }
    long id = number("lfs quota", "-p", args.get(1), 0, 0xFFFF_FFFEL);
    Located at = mountPoint("lfs quota", args.get(2));
    requireMdt(at.fsName());
    Filesystem fs = servers.pruned(at.fsName());
    NamespaceUsage.ProjectUsage usage = NamespaceUsage.of(servers.namespace(at.fsName()), fs, List.of()).project(id);
    return LustreOutputFormat.projectQuota(id, args.get(2), Math.ceilDiv(usage.bytes(), Sizes.KIB), fs.blockLimitsKib().getOrDefault(id, 0L), usage.inodes());
  }

  /** {@code lfs find DIR --ost INDEX}: the files below DIR with an object on the OST, one path per line. */
  private String find(List<String> args) throws Failure, Hang {
    if (args.size() != 3 || !args.get(1).equals("--ost")) {
      throw usage("lfs find", "lfs find: the simulation knows lfs find DIR --ost INDEX");
    }
    int index = (int) number("lfs find", "--ost", args.get(2), 0, 0xFFFF);
    Located at = existingDirectory("lfs find", args.get(0));
    requireMdt(at.fsName());
    Filesystem fs = servers.placeObjects(at.fsName());
    Path root = servers.namespace(at.fsName());
    Path asked = Path.of(args.get(0));
    StringBuilder out = new StringBuilder();
    fs.objects().entrySet().stream()
        .filter(e -> e.getValue().contains(index))
        .map(e -> root.resolve(e.getKey()))
        .filter(file -> file.startsWith(root.resolve(at.relative())))
        .sorted()
        .forEach(file -> out.append(asked.resolve(root.resolve(at.relative()).relativize(file))).append('\n'));
    return out.toString();
  }

  /** {@code lfs migrate FILE}: the file's objects rewritten on OSTs the MDS allocates on. */
  private String migrate(List<String> args) throws Failure, Hang {
    if (args.size() != 1 || args.getFirst().startsWith("-")) {
      throw usage("lfs migrate", "lfs migrate: the simulation knows lfs migrate FILE");
    }
    Located at = locate("lfs migrate", args.getFirst());
    requireMdt(at.fsName());
    if (!Files.isRegularFile(Path.of(args.getFirst()), LinkOption.NOFOLLOW_LINKS)) {
      throw new Failure(ENOENT, "lfs migrate: cannot open '" + args.getFirst() + "': No such file or directory (2)");
    }
    servers.placeObjects(at.fsName());
    if (!servers.migrate(at.fsName(), at.relative())) {
      throw new Failure(28, "lfs migrate: cannot migrate '" + args.getFirst() + "': No space left on device (28)");
    }
    return "";
  }

  // ---------------------------------------------------------------- helpers

  private record Located(String fsName, String relative) {}

  private Located locate(String tool, String path) throws Failure {
    Optional<Map.Entry<String, String>> at = servers.locate(Path.of(path));
    if (at.isEmpty()) {
      throw new Failure(ENOENT, tool + ": " + path + ": not on a Lustre filesystem");
    }
    return new Located(at.get().getKey(), at.get().getValue());
  }

  private Located mountPoint(String tool, String path) throws Failure {
    if (servers.filesystemMountedAt(Path.of(path)).isEmpty()) {
      throw new Failure(ENOENT, tool + ": " + path + ": not a Lustre mount point");
    }
    return locate(tool, path);
  }

  private Located existingDirectory(String tool, String path) throws Failure {
    Located at = locate(tool, path);
    if (!Files.isDirectory(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
      throw new Failure(ENOENT, tool + ": " + path + ": No such file or directory");
    }
    return at;
  }

  /** Client operations need the MDT: with it down a real client blocks, so the simulation does too. */
  private List<Target> requireMdt(String fsName) throws Hang {
    List<Target> targets = servers.targets(fsName);
    boolean mdtUp = targets.stream().anyMatch(t -> t.kind() == TargetKind.MDT && t.index() == 0 && t.mounted());
    if (!mdtUp) {
      throw new Hang(fsName + "-MDT0000 is not mounted");
    }
    return targets;
  }

  private static String value(List<String> args, int i, String tool, String option) throws Failure {
    if (i >= args.size()) {
      throw usage(tool, tool + ": option '" + option + "' requires an argument");
    }
    return args.get(i);
  }

  private static long number(String tool, String option, String text, long min, long max) throws Failure {
    try {
      long n = Long.parseLong(text);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw usage(tool, tool + ": invalid value '" + text + "' for " + option);
    }
  }

  /** -S takes bytes or a K/M/G suffix and must be a multiple of 64 KiB (lfs-setstripe(1)). */
  private static long stripeSize(String text) throws Failure {
    long bytes;
    try {
      bytes = Sizes.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage("lfs setstripe", "lfs setstripe: invalid stripe size '" + text + "'");
    }
    if (bytes % (64 * 1024) != 0 || bytes >= 4L << 30) {
      throw new Failure(EINVAL, "lfs setstripe: invalid stripe size '" + text + "': must be a multiple of 64 KiB below 4 GiB");
    }
    return bytes;
  }

  /** -B takes KiB without a suffix, or k/M/G/T/P (lfs-setquota(1)). */
  private static long kib(String text) throws Failure {
    try {
      char last = text.isEmpty() ? ' ' : text.charAt(text.length() - 1);
      return Character.isDigit(last) ? Long.parseLong(text) : Math.ceilDiv(Sizes.parse(text), Sizes.KIB);
    } catch (IllegalArgumentException e) {
      throw usage("lfs setquota", "lfs setquota: invalid limit '" + text + "'");
    }
  }

  private static void requireNoArgs(String tool, List<String> args) throws Failure {
    if (!args.isEmpty()) {
      throw usage(tool, tool + ": unexpected argument '" + args.getFirst() + "'");
    }
  }

  static Failure usage(String tool, String message) {
    return new Failure(EINVAL, message + "\nusage: see " + tool + " --help (simulated Lustre " + VERSION + ")");
  }
}
