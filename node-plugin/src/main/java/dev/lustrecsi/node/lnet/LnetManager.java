package dev.lustrecsi.node.lnet;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import dev.lustrecsi.node.rdma.NodeNetworks;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Brings LNet up on this node and checks that it answers. When managed, it runs
 * {@code modprobe lnet} and {@code lnetctl lnet configure} when LNet does not answer, and adds {@code o2ib0} on the usable RDMA netdevs and
 * {@code tcp0} on the first Ethernet interface, each only if LNet has no network of that name
 * yet: an existing network (from modprobe options, /etc/lnet.conf or an earlier run) is never
 * changed, so running this again is harmless (the node plugin does, every interval, to put back
 * what went missing). The one exception is the o2ib0 it added itself, which RDMA ports that become
 * usable later join (Multi-Rail). Then it loads the Lustre client module ({@code modprobe lustre}). When
 * external, it only reads. Either way LNet is ready when each of its networks has an NI that can
 * carry traffic (a Multi-Rail o2ib0 may have lost a rail) and each such NI's NID answers
 * {@code lnetctl ping}.
 */
public final class LnetManager {
  private static final System.Logger LOG = System.getLogger(LnetManager.class.getName());
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final CommandRunner runner;
  private final LnetMode mode;
  /** modprobe lustre's last error: bring-up runs every interval, and the same error is logged once. */
  private final AtomicReference<String> lustreModuleError = new AtomicReference<>("");
  /** The last rail that could not join o2ib0, logged once in the same way. */
  private final AtomicReference<String> railError = new AtomicReference<>("");
  /**
   * Whether o2ib0 is this plugin's: added by it, in this run. Only then does it gain the RDMA
   * ports that become usable later. Bring-up runs on one thread at a time.
   */
  private volatile boolean ownO2ib;

  public LnetManager(CommandRunner runner, LnetMode mode) {
    this.runner = runner;
    this.mode = mode;
  }

  /** Configures (when managed) and checks LNet; never throws, the status says what is wrong. */
  public LnetStatus bringUp(NodeNetworks networks) {
    try {
      Configured configured = mode == LnetMode.MANAGE ? configure(networks) : new Configured(netShow(), "");
      List<LocalNi> nis = configured.nis().stream().filter(ni -> !ni.nid().isLoopback()).toList();
      if (nis.isEmpty()) {
        return LnetStatus.notReady(List.of(), mode == LnetMode.MANAGE
            ? "LNet has no network: this node has no usable RDMA port and no Ethernet interface with an IPv4 address (" + networks.describe() + ")"
            : "LNet has no network configured and --lnet external leaves configuring it to the admin");
      }
      return judge(nis, networks, configured.o2ibProblem());
    } catch (CommandFailedException e) {
      return LnetStatus.notReady(List.of(), e.getMessage());
    }
  }

  /**
   * Ready when each network has an NI that can carry traffic and each such NI's NID answers a
   * ping. A dead NI beside a live one on its network (one rail of a Multi-Rail o2ib0 whose port or
   * NI is down) leaves the node ready: LNet's health checks move the traffic to the rails that work,
   * and mounts and I/O go on. A network whose every NI is dead makes it not ready, naming each.
   */
  private LnetStatus judge(List<LocalNi> nis, NodeNetworks networks, String o2ibProblem) {
    Map<String, List<LocalNi>> byNet = nis.stream().collect(Collectors.groupingBy(ni -> ni.nid().net(), LinkedHashMap::new, Collectors.toList()));
    List<Nid> live = new ArrayList<>();
    List<DeadNi> dead = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (List<LocalNi> net : byNet.values()) {
      List<DeadNi> deadOnNet = new ArrayList<>();
      for (LocalNi ni : net) {
        ni.whyDead(networks.rdmaPorts()).ifPresentOrElse(why -> deadOnNet.add(new DeadNi(ni.nid(), why)), () -> live.add(ni.nid()));
      }
      if (deadOnNet.size() == net.size()) {
        deadOnNet.forEach(ni -> problems.add(ni.why()));
      }
      dead.addAll(deadOnNet);
    }
    for (Nid nid : live) {
      ping(nid).ifPresent(problems::add);
    }
    return new LnetStatus(live, problems.isEmpty(), String.join("; ", problems), o2ibProblem, dead);
  }

  /**
   * LNet's NIs once managed bring-up is through, and why o2ib0 could not be added although an RDMA
   * port is usable ("" when it could, or was not needed).
   */
  private record Configured(List<LocalNi> nis, String o2ibProblem) {}

  /** Brings LNet up when it is down, adds the missing networks and loads the client module. */
  private Configured configure(NodeNetworks networks) throws CommandFailedException {
    List<LocalNi> nis = upLnet();
    Set<String> present = nis.stream().map(ni -> ni.nid().net()).collect(Collectors.toSet());
    boolean added = false;
    String o2ibProblem = "";
    if (!networks.o2ibInterfaces().isEmpty() && !present.contains("o2ib0")) {
      // o2ib failing (ko2iblnd missing, the fabric refusing) must not cost the node tcp: it then
      // mounts over tcp, and an o2ib volume's stage says LNet has no o2ib network, and why.
      try {
        add("o2ib0", String.join(",", networks.o2ibInterfaces()));
        ownO2ib = true;
        added = true;
      } catch (CommandFailedException e) {
        // The status carries it; the caller logs it when it changes.
        o2ibProblem = "lnetctl net add --net o2ib0 failed: " + e.getMessage();
      }
    } else if (ownO2ib && present.contains("o2ib0")) {
      added = addRails(networks, nis);
    }
    // One tcp interface: several on different subnets would make LNet pick source addresses peers cannot route back to.
    if (!networks.tcpInterfaces().isEmpty() && !present.contains("tcp0")) {
      add("tcp0", networks.tcpInterfaces().getFirst());
      added = true;
    }
    loadLustreModule();
    // Read again only after a change: a round on a healthy node reads LNet once.
    return new Configured(added ? netShow() : nis, o2ibProblem);
  }

  /**
   * LNet's NIs, after loading and configuring LNet only when it does not answer: net show fails
   * while the lnet module is not loaded or LNet is not configured ({@code lnetctl lnet
   * unconfigure}); then, as lnet.service does (lnetctl talks to the lnet module, it does not load
   * it), modprobe lnet and lnetctl lnet configure bring it up. A node whose LNet is up is spared
   * both at every round.
   */
  private List<LocalNi> upLnet() throws CommandFailedException {
    CommandResult shown = runner.run(lnetctl("net", "show"));
    if (shown.succeeded()) {
      return LnetOutput.netShow(shown.stdout());
    }
    runner.runChecked(new Command(List.of("modprobe", "lnet"), TIMEOUT));
    CommandResult configured = runner.run(lnetctl("lnet", "configure"));
    if (!configured.succeeded()) {
      // Already configured LNet may refuse a second configure on some versions; net show decides.
      LOG.log(Level.DEBUG, "lnetctl lnet configure: " + configured.errorText());
    }
    return netShow();
  }

  /**
   * The Lustre client module, which Probe and NodeStageVolume require loaded: nothing else loads it
   * before the first mount. Only once LNet's networks are in place: loading it into an unconfigured
   * LNet would let LNet bring up its default network on an interface of its choosing. A failure is
   * not LNet's: the client check reports the module missing, with what to do.
   */
  private void loadLustreModule() throws CommandFailedException {
    CommandResult lustre = runner.run(new Command(List.of("modprobe", "lustre"), TIMEOUT));
    String lustreError = lustre.succeeded() ? "" : lustre.errorText();
    String before = lustreModuleError.getAndSet(lustreError);
    if (!lustreError.isEmpty() && !lustreError.equals(before)) {
      LOG.log(Level.WARNING, "modprobe lustre: " + lustreError);
    }
  }

  /**
   * Multi-Rail: an RDMA port that becomes usable after this plugin added o2ib0 (the second rail's
   * subnet manager was slower, its cable was plugged in later) joins o2ib0 as one more NI, as it
   * would have had it been usable then. Only o2ib0 this plugin added: one from modprobe options,
   * /etc/lnet.conf or an earlier run of the plugin may list its interfaces on purpose. tcp0 never
   * grows: it has one interface by design. A rail that cannot be added leaves o2ib0 on the others.
   */
  private boolean addRails(NodeNetworks networks, List<LocalNi> nis) {
    Set<String> onO2ib = nis.stream().filter(ni -> ni.nid().net().equals("o2ib0")).flatMap(ni -> ni.interfaces().stream()).collect(Collectors.toSet());
    String error = "";
    boolean added = false;
    for (String iface : networks.o2ibInterfaces()) {
      if (!onO2ib.contains(iface)) {
        try {
          add("o2ib0", iface);
          added = true;
        } catch (CommandFailedException e) {
          error = "lnetctl net add --net o2ib0 --if " + iface + " failed, o2ib0 stays on " + onO2ib + ": " + e.getMessage();
        }
      }
    }
    String before = railError.getAndSet(error);
    if (!error.isEmpty() && !error.equals(before)) {
      LOG.log(Level.WARNING, error);
    }
    return added;
  }

  private void add(String net, String interfaces) throws CommandFailedException {
    runner.runChecked(lnetctl("net", "add", "--net", net, "--if", interfaces));
    LOG.log(Level.INFO, "LNet: added " + net + " on " + interfaces);
  }

  private List<LocalNi> netShow() throws CommandFailedException {
    return LnetOutput.netShow(runner.runChecked(lnetctl("net", "show")).stdout());
  }

  /** Pings a NID; empty when it answered, else what went wrong. */
  private java.util.Optional<String> ping(Nid nid) {
    try {
      CommandResult result = runner.run(lnetctl("ping", nid.toString()));
      if (!result.succeeded()) {
        return java.util.Optional.of("lnetctl ping " + nid + " failed: " + result.errorText());
      }
      if (LnetOutput.ping(result.stdout()).isEmpty()) {
        return java.util.Optional.of("lnetctl ping " + nid + " got no answer");
      }
      return java.util.Optional.empty();
    } catch (CommandFailedException e) {
      return java.util.Optional.of(e.getMessage());
    }
  }

  private static Command lnetctl(String... args) {
    List<String> argv = new ArrayList<>(List.of("lnetctl"));
    argv.addAll(List.of(args));
    return new Command(argv, TIMEOUT);
  }
}
