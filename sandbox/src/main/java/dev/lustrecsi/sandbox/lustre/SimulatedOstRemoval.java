package dev.lustrecsi.sandbox.lustre;

import dev.lustrecsi.agent.lustre.TargetKind;
import dev.lustrecsi.agent.lustre.TargetName;
import dev.lustrecsi.agent.lustre.TargetPaths;
import dev.lustrecsi.sandbox.lustre.SimulatedLustreCommands.Failure;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Filesystem;
import dev.lustrecsi.sandbox.lustre.SimulatedServers.Target;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands that drain and remove an OST, simulated over {@link SimulatedServers} on the
 * server that runs them: max_create_count on the MDS, set_param -P, llog_print and del_ost on
 * the MGS, umount and zpool export on the OSS. Each refuses to run on a server that could not
 * run it for real (an MDS parameter where no MDT is mounted, an MGS command where no MGS is).
 */
final class SimulatedOstRemoval {
  private static final Pattern MAX_CREATE = Pattern.compile("osp\\.([A-Za-z0-9_-]{1,8})-OST([0-9a-f]{4})-osc-MDT\\*\\.max_create_count=0");
  private static final Pattern DEACTIVATE = Pattern.compile("osc\\.([A-Za-z0-9_-]{1,8})-OST([0-9a-f]{4})-\\*\\.active=0");
  private static final Pattern POOL = Pattern.compile(Pattern.quote(TargetPaths.POOL_PREFIX) + "([A-Za-z0-9_-]{1,8})-ost([0-9a-f]{4})");
  private static final int ENODEV = 19;

  private SimulatedOstRemoval() {}

  /** {@code lctl set_param PARAM} and {@code lctl set_param -P PARAM}, for the parameters a drain sets. */
  static String setParam(SimulatedServers servers, String server, List<String> args) throws Failure {
    if (args.size() == 1) {
      Matcher m = MAX_CREATE.matcher(args.getFirst());
      if (!m.matches()) {
        throw SimulatedLustreCommands.usage("lctl set_param", "error: set_param: the simulation does not know '" + args.getFirst() + "'");
      }
      String fs = m.group(1);
      boolean mds = servers.targetsOf(server).stream().anyMatch(t -> t.kind() == TargetKind.MDT && t.fsName().equals(fs) && t.mounted());
      int index = Integer.parseInt(m.group(2), 16);
      boolean known = servers.filesystem(fs).map(f -> f.listedOsts().stream().anyMatch(t -> t.index() == index)).orElse(false);
      if (!mds || !known) {
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

  /** {@code lctl --device MGS llog_print FS-client} and {@code lctl --device MGS del_ost --target FS-OSTxxxx}. */
  static String mgsDevice(SimulatedServers servers, String server, List<String> args) throws Failure {
    if (args.size() < 2 || !args.getFirst().equals("MGS")) {
      throw SimulatedLustreCommands.usage("lctl --device", "lctl: the simulation knows --device MGS only");
    }
    requireMgs(servers, server);
    List<String> command = args.subList(1, args.size());
    if (command.size() == 2 && command.getFirst().equals("llog_print") && command.get(1).endsWith("-client")) {
      String fsName = command.get(1).substring(0, command.get(1).length() - "-client".length());
      Filesystem fs = servers.filesystem(fsName)
          .orElseThrow(() -> new Failure(SimulatedLustreCommands.ENOENT, "llog_print: " + command.get(1) + ": No such file or directory"));
      return clientLog(servers, fs);
    }
    if (command.size() == 3 && command.get(0).equals("del_ost") && command.get(1).equals("--target")) {
      Optional<TargetName> ost = TargetName.parse(command.get(2)).filter(t -> t.kind() == TargetKind.OST && !t.fsName().isEmpty());
      if (ost.isEmpty()) {
        throw SimulatedLustreCommands.usage("lctl del_ost", "del_ost: '" + command.get(2) + "' is not an OST label (FSNAME-OSTxxxx)");
      }
      if (servers.filesystem(ost.get().fsName()).isEmpty()
          || !servers.deleteFromConfiguration(ost.get().fsName(), ost.get().index())) {
        throw new Failure(SimulatedLustreCommands.ENOENT, "del_ost: " + command.get(2) + ": No such file or directory");
      }
      return "";
    }
    throw SimulatedLustreCommands.usage("lctl --device MGS", "lctl: the simulation knows llog_print FS-client and del_ost --target OST");
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
   * The clients' configuration log as llog_print prints it: the LOV and LMV, the MDT's mdc, and
   * an osc per OST the configuration holds. Records keep their indexes, so an OST whose records
   * del_ost cancelled leaves a gap, as in a real log.
   */
  private static String clientLog(SimulatedServers servers, Filesystem fs) {
    String name = fs.fsName();
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "- { index: 2, event: attach, device: %s-clilov, type: lov, UUID: %s-clilov_UUID }%n", name, name));
    out.append(String.format(Locale.ROOT, "- { index: 5, event: attach, device: %s-clilmv, type: lmv, UUID: %s-clilmv_UUID }%n", name, name));
    for (Target t : fs.targets()) {
      if (t.kind() != TargetKind.OST || !t.registered() || fs.deleted().contains(t.index())) {
        continue;
      }
      String ost = t.name().toString();
      String nid = servers.server(t.server()).map(SimulatedServers.Server::nid).orElse("0@lo");
      int base = 20 + 4 * t.index();
      out.append(String.format(Locale.ROOT, "- { index: %d, event: attach, device: %s-osc, type: osc, UUID: %s-clilov_UUID }%n", base, ost, name));
      out.append(String.format(Locale.ROOT, "- { index: %d, event: setup, device: %s-osc, UUID: %s_UUID, node: %s }%n", base + 1, ost, ost, nid));
      out.append(String.format(Locale.ROOT, "- { index: %d, event: add_osc, device: %s-clilov, ost: %s_UUID, index: %d, gen: 1 }%n",
          base + 2, name, ost, t.index()));
    }
    return out.toString();
  }
}
