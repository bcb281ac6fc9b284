package dev.lustrecsi.node.topology;

import dev.lustrecsi.common.topology.Topology;
import dev.lustrecsi.node.lnet.DeadNi;
import dev.lustrecsi.node.lnet.LnetManager;
import dev.lustrecsi.node.lnet.LnetStatus;
import dev.lustrecsi.node.rdma.NodeNetworks;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the node knows about its networks: the RDMA ports and Ethernet interfaces and LNet's
 * status, as last checked. Both are checked again off the request threads every interval for as
 * long as the plugin runs, not only until LNet first answers: an RDMA port the subnet manager
 * activates late gets o2ib, LNet networks removed behind the plugin's back are added again when
 * managed, and a network whose every NI goes down makes the node not ready (one rail of several
 * going down leaves it ready, degraded, and logged), each within one interval.
 */
public final class NodeNetworking {
  private static final System.Logger LOG = System.getLogger(NodeNetworking.class.getName());

  private final Supplier<NodeNetworks> scanner;
  private final Optional<LnetManager> lnet;
  private final Duration interval;
  private final RdmaSettling settling;
  private volatile NodeNetworks networks;
  private volatile LnetStatus status;
  private volatile Optional<Thread> checker = Optional.empty();
  private volatile Optional<Boolean> reportedRdma = Optional.empty();

  /**
   * @param scanner reads the node's networks (sysfs on a real node)
   * @param lnet the LNet manager; empty where no LNet exists (the sandbox), which counts as ready
   * @param interval how long to wait between checks of the networks and LNet
   */
  public NodeNetworking(Supplier<NodeNetworks> scanner, Optional<LnetManager> lnet, Duration interval) {
    this(scanner, lnet, interval, RdmaSettling.DEFAULT);
  }

  /** @param settling how long NodeGetInfo waits for RDMA ports that are coming up */
  public NodeNetworking(Supplier<NodeNetworks> scanner, Optional<LnetManager> lnet, Duration interval, RdmaSettling settling) {
    this.scanner = scanner;
    this.lnet = lnet;
    this.interval = interval;
    this.settling = settling;
    this.networks = new NodeNetworks(List.of(), List.of());
    this.status = lnet.isPresent() ? LnetStatus.UNKNOWN : new LnetStatus(List.of(), true, "");
  }

  /** No RDMA and no LNet: the sandbox, where "mounting Lustre" is a bind mount. */
  public static NodeNetworking none() {
    return new NodeNetworking(() -> new NodeNetworks(List.of(), List.of()), Optional.empty(), Duration.ofMinutes(1));
  }

  /** Scans the networks now (NodeGetInfo's topology must be right from the first call), then checks LNet in the background. */
  public NodeNetworking start() {
    networks = scanner.get();
    LOG.log(Level.INFO, "node networks: " + networks.describe());
    checker = lnet.map(manager -> Thread.ofVirtual().name("lnet-check").start(() -> keepChecking(manager)));
    return this;
  }

  /** Ends the background checks (a running plugin's end with its JVM). */
  public void stop() {
    checker.ifPresent(Thread::interrupt);
  }

  /** Scans the networks and checks LNet once, synchronously; for tests and for callers that want to wait. */
  public LnetStatus checkNow() {
    lnet.ifPresent(manager -> check(manager, scanner.get()));
    return status;
  }

  private void keepChecking(LnetManager manager) {
    boolean rescan = false; // the first round uses the scan start() has just made
    while (true) {
      try {
        check(manager, rescan ? scanner.get() : networks);
      } catch (RuntimeException e) {
        // A sysfs read that fails once must not end the checks for the life of the plugin.
        LOG.log(Level.WARNING, "cannot check the node's networks and LNet, trying again in " + interval.toSeconds() + " s: " + e.getMessage());
      }
      rescan = true;
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One round: take the networks found, bring LNet up on them (or only read it, when external), log what changed. */
  private void check(LnetManager manager, NodeNetworks found) {
    NodeNetworks before = networks;
    networks = found;
    if (!found.describe().equals(before.describe())) {
      LOG.log(Level.INFO, "node networks changed: " + found.describe());
    }
    if (found.hasRdma() != before.hasRdma()) {
      logRdmaChange(found.hasRdma());
    }
    LnetStatus now = manager.bringUp(found);
    LnetStatus was = status;
    status = now;
    // Every round runs again after the node is ready: only a change is worth a line in the log.
    if (!now.equals(was)) {
      logLnet(now);
    }
  }

  private void logLnet(LnetStatus now) {
    if (!now.ready()) {
      LOG.log(Level.WARNING, "LNet not ready, checking again every " + interval.toSeconds() + " s: " + now.reason());
      return;
    }
    StringBuilder line = new StringBuilder("LNet ready: " + now.nids());
    if (!now.o2ibProblem().isEmpty()) {
      line.append(", without o2ib, so this node mounts over tcp only: ").append(now.o2ibProblem());
    }
    if (!now.deadNis().isEmpty()) {
      // Ready on the rails left: LNet's health checks keep traffic off the dead ones, but the admin has a rail to mend.
      line.append(", degraded: ").append(String.join("; ", now.deadNis().stream().map(DeadNi::why).toList()))
          .append(" (its network carries on over the NIs that work)");
    }
    boolean degraded = !now.o2ibProblem().isEmpty() || !now.deadNis().isEmpty();
    LOG.log(degraded ? Level.WARNING : Level.INFO, line.toString());
  }

  /**
   * New mounts follow the ports at once; the Node's label does not (kubelet sets it only when it
   * registers the plugin, and refuses a registration whose value differs from the label), so a
   * state that no longer matches what kubelet was told is a warning with what to do.
   */
  private void logRdmaChange(boolean usable) {
    String now = usable
        ? "RDMA is usable now: LNet gets o2ib0 when managed, and auto volumes staged from now on mount over o2ib where their filesystem has o2ib NIDs"
        : "RDMA is no longer usable: volumes staged from now on mount over tcp, and lnet: o2ib volumes cannot be staged here";
    if (reportedRdma.isPresent() && reportedRdma.get() != usable) {
      LOG.log(Level.WARNING, now + ". This node reported " + Topology.RDMA_KEY + "=" + reportedRdma.get()
          + " when kubelet registered it, and its label keeps that value until it is removed and the plugin registers again (docs/rdma.md)");
    } else {
      LOG.log(Level.INFO, now);
    }
  }

  /** Whether this node has a usable RDMA port now (as of the last scan). */
  public boolean rdma() {
    return networks.hasRdma();
  }

  /**
   * The topology segment's value for NodeGetInfo: whether an RDMA port is usable, read from sysfs
   * now and, while a port is coming up and none is usable, again until it settles (bounded by
   * {@link RdmaSettling}): kubelet labels the Node with this answer for good. It is what kubelet
   * compares with the Node's label at each registration, so the answer is remembered to tell when
   * the label has fallen behind the ports. The background checks keep their own scans: they pick
   * up the same port within one interval.
   */
  public boolean rdmaForTopology() {
    boolean now = settling.settle(scanOr(networks), () -> scanOr(networks)).hasRdma();
    reportedRdma = Optional.of(now);
    return now;
  }

  /** A scan now; when sysfs cannot be read, the last scan, so that a failed read does not fail NodeGetInfo. */
  private NodeNetworks scanOr(NodeNetworks last) {
    try {
      return scanner.get();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cannot read the node's networks, answering from the last scan: " + e.getMessage());
      return last;
    }
  }

  /** What the last NodeGetInfo reported as the topology segment's value; empty before the first. */
  public Optional<Boolean> reportedRdma() {
    return reportedRdma;
  }

  public NodeNetworks networks() {
    return networks;
  }

  public LnetStatus lnet() {
    return status;
  }
}
