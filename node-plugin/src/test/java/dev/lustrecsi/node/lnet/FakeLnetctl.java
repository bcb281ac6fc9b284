package dev.lustrecsi.node.lnet;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * lnetctl as far as the node plugin uses it, with state: configure, net add, net show (printed
 * in the layout of the reference sample lnetctl_net_show.txt) and ping (answered in the layout of
 * lnetctl_ping.txt for the node's own NIDs). Every command line is recorded. The node plugin's
 * background checks run it while a test changes it, so a command runs whole and the switches are
 * volatile.
 */
final class FakeLnetctl implements CommandRunner {
  final List<List<String>> commands = new CopyOnWriteArrayList<>();
  /** net name (tcp0) to its NIs, each [nid, interface]: several on a Multi-Rail net. */
  private final Map<String, List<String[]>> nets = new LinkedHashMap<>();
  /** IPv4 address of each interface net add may name. */
  final Map<String, String> addresses = new LinkedHashMap<>();
  volatile boolean configured;
  volatile boolean pingsFail;
  volatile boolean lustreModuleMissing;
  /** ko2iblnd missing: net add of an o2ib network fails as lnetctl reports it. */
  volatile boolean o2ibAddFails;
  /** Interfaces net add refuses, as for a rail whose device ko2iblnd cannot open. */
  final java.util.Set<String> refusedInterfaces = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Nets (o2ib0) whose NI net show lists with "status: down". */
  final java.util.Set<String> down = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Interfaces (ib1) whose NI net show lists with "status: down": one dead rail of a Multi-Rail net. */
  final java.util.Set<String> downInterfaces = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** A network configured outside the plugin (modprobe options, /etc/lnet.conf): LNet is configured, the net has one NI. */
  synchronized void configuredNet(String net, String nid, String iface) {
    configured = true;
    nets.computeIfAbsent(net, n -> new ArrayList<>()).add(new String[] {nid, iface});
  }

  /** What {@code lnetctl lnet unconfigure} leaves: LNet down, every network gone, net show failing. */
  synchronized void unconfigure() {
    configured = false;
    nets.clear();
  }

  @Override
  public synchronized CommandResult run(Command command) {
    commands.add(command.argv());
    List<String> a = command.argv();
    if (a.equals(List.of("modprobe", "lnet"))) {
      return ok(command, "");
    }
    if (a.equals(List.of("modprobe", "lustre"))) {
      return lustreModuleMissing ? new CommandResult(command, 1, "", "modprobe: FATAL: Module lustre not found in directory /lib/modules/6.8.0\n")
          : ok(command, "");
    }
    if (!a.getFirst().equals("lnetctl")) {
      return new CommandResult(command, 127, "", a.getFirst() + ": not found");
    }
    String verb = String.join(" ", a.subList(1, Math.min(3, a.size())));
    return switch (verb) {
      case "lnet configure" -> {
        configured = true;
        yield ok(command, "");
      }
      case "net show" -> configured ? ok(command, netShow()) : fail(command, "show:\n    - net:\n          errno: -100\n          descr: \"cannot get networks: Network is down\"\n");
      case "net add" -> {
        String net = a.get(a.indexOf("--net") + 1);
        if (o2ibAddFails && net.startsWith("o2ib")) {
          yield fail(command, "add:\n    - net:\n          errno: -100\n          descr: \"cannot add network: Network is down\"\n");
        }
        // One NI per interface: --if ib0,ib1 makes a Multi-Rail net, and a net add naming a net that
        // exists adds NIs to it; an interface already on the net is refused, as lnetctl does.
        String type = net.replaceAll("[0-9]+$", "");
        List<String> interfaces = List.of(a.get(a.indexOf("--if") + 1).split(","));
        List<String[]> nis = nets.getOrDefault(net, List.of());
        if (interfaces.stream().anyMatch(refusedInterfaces::contains)) {
          yield fail(command, "add:\n    - net:\n          errno: -19\n          descr: \"cannot add network: No such device\"\n");
        }
        if (nis.stream().anyMatch(ni -> interfaces.contains(ni[1]))) {
          yield fail(command, "add:\n    - net:\n          errno: -17\n          descr: \"cannot add network: File exists\"\n");
        }
        for (String iface : interfaces) {
          nets.computeIfAbsent(net, n -> new ArrayList<>())
              .add(new String[] {addresses.get(iface) + "@" + type + (net.endsWith("0") ? "" : net.substring(type.length())), iface});
        }
        yield ok(command, "");
      }
      default -> {
        if (a.get(1).equals("ping")) {
          String nid = a.get(2);
          boolean own = nets.values().stream().flatMap(List::stream).anyMatch(n -> n[0].equals(nid));
          yield own && !pingsFail ? ok(command, "ping:\n- primary nid: " + nid + "\n  Multi-Rail: true\n  peer_ni:\n  - nid: " + nid + "\n")
              : fail(command, "manage:\n    - ping:\n          errno: -1\n          descr: failed to ping " + nid + ": Input/output error\n");
        }
        yield fail(command, "unknown command");
      }
    };
  }

  private String netShow() {
    List<String> lines = new ArrayList<>(List.of("net:", "-     net type: lo", "      local NI(s):", "      -     nid: 0@lo", "            status: up"));
    for (Map.Entry<String, List<String[]>> net : nets.entrySet()) {
      lines.add("-     net type: " + net.getKey().replaceAll("0$", ""));
      lines.add("      local NI(s):");
      for (String[] ni : net.getValue()) {
        lines.add("      -     nid: " + ni[0]);
        lines.add("            status: " + (down.contains(net.getKey()) || downInterfaces.contains(ni[1]) ? "down" : "up"));
        lines.add("            interfaces:");
        lines.add("                  0: " + ni[1]);
      }
    }
    return String.join("\n", lines) + "\n";
  }

  private static CommandResult ok(Command c, String out) {
    return new CommandResult(c, 0, out, "");
  }

  private static CommandResult fail(Command c, String err) {
    return new CommandResult(c, 1, "", err);
  }
}
