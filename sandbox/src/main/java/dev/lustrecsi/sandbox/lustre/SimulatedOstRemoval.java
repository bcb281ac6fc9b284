package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.agent.lustre.TargetPaths;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreCommands.Failure;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Filesystem;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Target;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands that drain and remove an OST, simulated over {@link SimulatedServers} on the
 * server that runs them: max_create_count on the MDS, set_param -P, mgs.MGS.live, llog_print and
 * del_ost on the MGS, umount and zpool export on the OSS. Each refuses to run on a server that could not
 * run it for real (an MDS parameter where no MDT is mounted, an MGS command where no MGS is).
 */
final class SimulatedOstRemoval {
  private static final Pattern MAX_CREATE = Pattern.compile("osp\\.([A-Za-z0-9_-]{1,8})-OST([0-9a-f]{4})-osc-MDT\\*\\.max_create_count=0");
  private static final Pattern DEACTIVATE = Pattern.compile("osc\\.([A-Za-z0-9_-]{1,8})-OST([0-9a-f]{4})-\\*\\.active=0");
  private static final Pattern POOL = Pattern.compile(Pattern.quote(TargetPaths.POOL_PREFIX) + "([A-Za-z0-9_-]{1,8})-ost([0-9a-f]{4})");
  private static final Pattern RECORD_INDEX = Pattern.compile("- \\{ index: (\\d+),");
  private static final int ENODEV = 19;
  /** Where the simulated logs put pool records: past any OST's (20 + 4 per OST index). */
  private static final int POOL_RECORDS = 300_000;

  private SimulatedOstRemoval() {}

  /** {@code lctl set_param PARAM} and {@code lctl set_param -P PARAM}, for the parameters a drain sets. */
  static String setParam(SimulatedServers servers, String server, List<String> args) throws Failure {
    if (args.size() == 1) {
      Matcher m = MAX_CREATE.matcher(args.getFirst());
      if (!m.matches()) {
        throw SimulatedLustreCommands.usage("lctl set_param", "error: set_param: the simulation does not know '" + args.getFirst() + "'");
      }
      String fs = m.group(1);
      int index = Integer.parseInt(m.group(2), 16);
      if (mdtsWithOsp(servers, server, fs, index).isEmpty()) {
        // No osp device of that name on this node: the parameter path does not exist.
        throw new Failure(SimulatedLustreCommands.ENOENT, "error: set_param: param_path '"
            + args.getFirst().substring(0, args.getFirst().indexOf('=')).replace('.', '/') + "': No such file or directory");
      }
      servers.stopCreation(fs, index);
      return "";
    }
    if (args.size() == 2 && args.getFirst().equals("-P")) {
      Matcher m = DEACTIVATE.matcher(args.get(1));
      if (!m.matches()) {
        throw SimulatedLustreCommands.usage("lctl set_param", "error: set_param: the simulation does not know -P '" + args.get(1) + "'");
      }
      requireMgs(servers, server);
      servers.deactivate(m.group(1), Integer.parseInt(m.group(2), 16));
      return "";
    }
    throw SimulatedLustreCommands.usage("lctl set_param", "error: set_param: the simulation knows set_param PARAM=VALUE and -P PARAM=VALUE");
  }

  /**
   * {@code lctl get_param [-n] osp.FS-OSTxxxx-osc-MDT*.max_create_count}: a line per MDT of this
   * server with an osp device for the OST, 0 once creation is stopped, else Lustre's default of
   * 20000 (OST_MAX_PRECREATE). Empty where no such device is, which get_param reports as a missing path.
   */
  static String maxCreateCount(SimulatedServers servers, String server, String fsName, int index, boolean valuesOnly) {
    boolean stopped = servers.filesystem(fsName).map(f -> f.noCreate().contains(index)).orElse(false);
    StringBuilder out = new StringBuilder();
    for (Target mdt : mdtsWithOsp(servers, server, fsName, index)) {
      String osp = new TargetName(fsName, TargetKind.OST, index) + "-osc-" + mdt.name().toString().substring(fsName.length() + 1);
      out.append(valuesOnly ? "" : "osp." + osp + ".max_create_count=").append(stopped ? 0 : 20000).append('\n');
    }
    return out.toString();
  }

  /** The MDTs mounted on this server that have an osp device for the OST: one for each OST its configuration log names, deactivated or not. */
  private static List<Target> mdtsWithOsp(SimulatedServers servers, String server, String fsName, int index) {
    Optional<Filesystem> fs = servers.filesystem(fsName)
        .filter(f -> f.targets().stream().anyMatch(t -> t.kind() == TargetKind.OST && t.index() == index && t.registered()));
    if (fs.isEmpty()) {
      return List.of();
    }
    return servers.targetsOf(server).stream().filter(t -> t.kind() == TargetKind.MDT && t.fsName().equals(fsName) && t.mounted()
        && fs.get().names(t.name().toString(), index)).toList();
  }

  /** {@code lctl --device MGS llog_print LOG} (FS-client, FS-MDTxxxx) and {@code lctl --device MGS del_ost --target FS-OSTxxxx}. */
  static String mgsDevice(SimulatedServers servers, String server, List<String> args) throws Failure {
    if (args.size() < 2 || !args.getFirst().equals("MGS")) {
      throw SimulatedLustreCommands.usage("lctl --device", "lctl: the simulation knows --device MGS only");
    }
    requireMgs(servers, server);
    List<String> command = args.subList(1, args.size());
    if (command.size() == 2 && command.getFirst().equals("llog_print")) {
      String log = command.get(1);
      Optional<Filesystem> fs = servers.filesystem(log.substring(0, Math.max(0, log.lastIndexOf('-'))));
      if (fs.isEmpty() || !fs.get().configLogs().contains(log)) {
        throw new Failure(SimulatedLustreCommands.ENOENT, "llog_print: " + log + ": No such file or directory");
      }
      return configLog(servers, fs.get(), log);
    }
    if (command.size() == 3 && command.get(0).equals("del_ost") && command.get(1).equals("--target")) {
      Optional<TargetName> ost = TargetName.parse(command.get(2)).filter(t -> t.kind() == TargetKind.OST && !t.fsName().isEmpty());
      if (ost.isEmpty()) {
        throw SimulatedLustreCommands.usage("lctl del_ost", "del_ost: '" + command.get(2) + "' is not an OST label (FSNAME-OSTxxxx)");
      }
      return deleteOst(servers, ost.get());
    }
    throw SimulatedLustreCommands.usage("lctl --device MGS", "lctl: the simulation knows llog_print LOG and del_ost --target OST");
  }

  /**
   * del_ost as lctl 2.16 runs it (jt_del_ost, llog_del_ost in lustre/utils/obd.c): each
   * configuration log of the filesystem in turn, every live record whose line holds
   * {@code " FSNAME-OSTxxxx"} cancelled, from the last record back. That filter is a plain
   * substring, so it takes the OST's pool records ({@code ost: FSNAME-OSTxxxx_UUID}) with its osc
   * records. A log with nothing left to cancel is no error: a rerun over logs a killed run already
   * cleaned exits 0, printing "no catalog entry deleted" for them.
   */
  private static String deleteOst(SimulatedServers servers, TargetName ost) {
    Optional<Filesystem> fs = servers.filesystem(ost.fsName());
    if (fs.isEmpty()) {
      return "";  // the MGS holds no log of that filesystem: nothing to walk
    }
    String filter = " " + ost;
    StringBuilder out = new StringBuilder();
    for (String log : fs.get().configLogs()) {
      out.append("config_log: ").append(log).append('\n');
      List<Integer> records = configLog(servers, fs.get(), log).lines().filter(record -> record.contains(filter))
          .map(SimulatedOstRemoval::recordIndex).sorted(java.util.Comparator.reverseOrder()).toList();
      if (!records.isEmpty()) {
        servers.cancelRecords(ost.fsName(), log, ost.index());
      }
      records.forEach(index -> out.append("cancel catalog ").append(log).append(" log_idx ").append(index).append(": done\n"));
      out.append(records.isEmpty() ? "del_ost: no catalog entry deleted\n" : "del_ost: cancelled " + records.size() + " catalog entries\n");
    }
    return out.toString();
  }

  private static int recordIndex(String record) {
    Matcher m = RECORD_INDEX.matcher(record);
    if (!m.lookingAt()) {
      throw new IllegalStateException("a configuration log record without an index: " + record);
    }
    return Integer.parseInt(m.group(1));
  }

  /** {@code umount /lustre/targets/ostXXXX}: the OST this server mounted there, unmounted cleanly. */
  static String umount(SimulatedServers servers, String server, List<String> args) throws Failure {
    if (args.size() != 1) {
      throw new Failure(1, "umount: bad usage\nTry 'umount --help' for more information.");
    }
    Optional<Target> ost = servers.targetsOf(server).stream()
        .filter(t -> t.kind() == TargetKind.OST && TargetPaths.ostMountPoint(t.index()).toString().equals(args.getFirst()) && t.mounted())
        .findFirst();
    if (ost.isEmpty()) {
      throw new Failure(32, "umount: " + args.getFirst() + ": not mounted.");
    }
    servers.unmount(ost.get().fsName(), TargetKind.OST, ost.get().index());
    return "";
  }

  /** {@code zpool export POOL}, for the pool of one of this server's OSTs. */
  static String zpool(SimulatedServers servers, String server, List<String> args) throws Failure {
    if (args.size() != 2 || !args.getFirst().equals("export")) {
      throw new Failure(2, "usage: the simulation knows zpool export POOL");
    }
    Matcher m = POOL.matcher(args.get(1));
    try {
      if (!m.matches() || servers.filesystem(m.group(1)).isEmpty()
          || !servers.exportPool(m.group(1), Integer.parseInt(m.group(2), 16), server)) {
        throw new Failure(1, "cannot open '" + args.get(1) + "': no such pool");
      }
    } catch (IllegalStateException busy) {
      throw new Failure(1, "cannot export '" + args.get(1) + "': pool is busy");
    }
    return "";
  }

  /**
   * zfs set PROPERTY=VALUE DATASET, for the one property the agent sets: the release tag on a
   * drained OST's dataset, which the VM's setup (see SimulatedServerVms) then leaves unmounted.
   */
  static String zfsSet(SimulatedServers servers, String server, List<String> args) throws Failure {
    if (args.size() != 2 || !args.getFirst().equals(TargetPaths.RELEASED_PROPERTY + "=yes")) {
      throw new Failure(2, "usage: the simulation knows zfs set " + TargetPaths.RELEASED_PROPERTY + "=yes DATASET; not '" + String.join(" ", args) + "'");
    }
    Matcher m = POOL.matcher(args.get(1).substring(0, Math.max(0, args.get(1).indexOf('/'))));
    if (!m.matches() || servers.filesystem(m.group(1)).isEmpty()
        || !servers.markReleased(m.group(1), Integer.parseInt(m.group(2), 16), server)) {
      throw new Failure(1, "cannot open '" + args.get(1) + "': dataset does not exist");
    }
    return "";
  }

  private static void requireMgs(SimulatedServers servers, String server) throws Failure {
    if (servers.targetsOf(server).stream().noneMatch(t -> t.kind() == TargetKind.MGT && t.mounted())) {
      throw new Failure(ENODEV, "This command must be run on the MGS.");
    }
  }

  /**
   * {@code lctl get_param mgs.MGS.live.FS} on the MGS, as mgs_live_lfs.txt prints it: the
   * registered targets, MDTs first. Empty where there is no such parameter (not the MGS, or a
   * filesystem it does not know), which get_param reports as a missing path.
   */
  static String mgsLive(SimulatedServers servers, String server, String fsName, boolean valuesOnly) {
    boolean mgs = servers.targetsOf(server).stream().anyMatch(t -> t.kind() == TargetKind.MGT && t.mounted());
    Optional<Filesystem> fs = servers.filesystem(fsName);
    if (!mgs || fs.isEmpty()) {
      return "";
    }
    List<Target> registered = fs.get().targets().stream().filter(t -> t.kind() != TargetKind.MGT && t.registered())
        .sorted(java.util.Comparator.comparing((Target t) -> t.kind() != TargetKind.MDT).thenComparingInt(Target::index)).toList();
    StringBuilder out = new StringBuilder(valuesOnly ? "" : "mgs.MGS.live." + fsName + "=\n");
    out.append("fsname: ").append(fsName).append('\n');
    out.append(String.format(Locale.ROOT, "flags: 0x20     gen: %d%n", 2 * registered.size() + 2));
    registered.forEach(t -> out.append(t.name()).append('\n'));
    out.append("\nSecure RPC Config Rules:\n\nimperative_recovery_state:\n    state: startup\n    nonir_clients: 0\n")
        .append("    nidtbl_version: ").append(registered.size() + 2).append('\n')
        .append("    notify_duration_total: 0.025285740\n    notify_duation_max: 0.017671600\n")
        .append("    notify_count: ").append(registered.size()).append('\n');
    return out.toString();
  }

  /**
   * A configuration log as llog_print prints it. The clients' ({@code FS-client}) sets up the LOV
   * and LMV and an osc per OST; an MDT's ({@code FS-MDTxxxx}) its mdtlov and an osp per OST, named
   * {@code FS-OSTxxxx-osc-MDTxxxx}. Records keep their indexes, so an OST whose records del_ost
   * cancelled in this log leaves a gap, as in a real log.
   */
  private static String configLog(SimulatedServers servers, Filesystem fs, String log) {
    String name = fs.fsName();
    boolean client = log.equals(name + "-client");
    String lov = client ? name + "-clilov" : log + "-mdtlov";
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "- { index: 2, event: attach, device: %s, type: lov, UUID: %s_UUID }%n", lov, lov));
    out.append(client
        ? String.format(Locale.ROOT, "- { index: 5, event: attach, device: %s-clilmv, type: lmv, UUID: %s-clilmv_UUID }%n", name, name)
        : String.format(Locale.ROOT, "- { index: 5, event: attach, device: %s, type: mdt, UUID: %s_UUID }%n", log, log));
    for (Target t : fs.targets()) {
      if (t.kind() != TargetKind.OST || !t.registered() || !fs.names(log, t.index())) {
        continue;
      }
      String ost = t.name().toString();
      String device = client ? ost + "-osc" : ost + "-osc-" + log.substring(name.length() + 1);
      String nid = servers.server(t.server()).map(SimulatedServers.Server::nid).orElse("0@lo");
      int base = 20 + 4 * t.index();
      out.append(String.format(Locale.ROOT, "- { index: %d, event: attach, device: %s, type: %s, UUID: %s_UUID }%n",
          base, device, client ? "osc" : "osp", lov));
      out.append(String.format(Locale.ROOT, "- { index: %d, event: setup, device: %s, UUID: %s_UUID, node: %s }%n", base + 1, device, ost, nid));
      out.append(String.format(Locale.ROOT, "- { index: %d, event: add_osc, device: %s, ost: %s_UUID, index: %d, gen: 1 }%n",
          base + 2, lov, ost, t.index()));
    }
    // An admin's pools, after the OSTs they were made from: a pool_new record each, a pool_add per OST
    // (the record formats of llog_poollist_cb in lustre/utils/obd.c). del_ost took an OST's with its others.
    int pool = 0;
    for (Map.Entry<String, List<Integer>> entry : fs.pools().entrySet()) {
      int base = POOL_RECORDS + 100 * pool++;
      out.append(String.format(Locale.ROOT, "- { index: %d, event: new_pool, device: %s, fsname: %s, pool: %s }%n",
          base, lov, name, entry.getKey()));
      List<Integer> members = entry.getValue();
      for (int i = 0; i < members.size(); i++) {
        if (fs.names(log, members.get(i))) {
          out.append(String.format(Locale.ROOT, "- { index: %d, event: add_pool, device: %s, fsname: %s, pool: %s, ost: %s_UUID }%n",
              base + 1 + i, lov, name, entry.getKey(), new TargetName(name, TargetKind.OST, members.get(i))));
        }
      }
    }
    return out.toString();
  }
}
