package dev.lustrecsi.node.topology;

import dev.lustrecsi.node.rdma.NodeNetworks;
import dev.lustrecsi.node.rdma.RdmaPort;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waits, bounded, for RDMA ports that are coming up to settle before NodeGetInfo answers. Kubelet
 * labels the Node with the first answer and refuses a later registration whose value differs, so
 * a port still in INIT when the DaemonSet pod starts after a reboot (the subnet manager not yet
 * through the fabric) would otherwise fix {@code rdma=false} until an administrator relabels. A
 * port that is down (no cable) is not waited for: nothing is on its way.
 *
 * @param timeout how long NodeGetInfo waits at most; well under kubelet's 2 minutes for the call
 * @param poll how often sysfs is read again while waiting
 */
public record RdmaSettling(Duration timeout, Duration poll) {
  private static final System.Logger LOG = System.getLogger(RdmaSettling.class.getName());

  /**
   * 60 s: an InfiniBand port normally goes from link up through INIT to ACTIVE in seconds, and a
   * subnet manager sweeping a large fabric after a power event takes tens of seconds; a fabric with
   * no subnet manager at all keeps ports in INIT for good, and costs each registration this long.
   */
  public static final RdmaSettling DEFAULT = new RdmaSettling(Duration.ofSeconds(60), Duration.ofSeconds(1));

  /**
   * The networks once no port is coming up any more (or one is usable), or as they are when the
   * timeout ends; {@code found} is returned at once when nothing is coming up.
   */
  NodeNetworks settle(NodeNetworks found, Supplier<NodeNetworks> scanner) {
    if (!found.rdmaComingUp()) {
      return found;
    }
    LOG.log(Level.INFO, "NodeGetInfo: waiting up to " + timeout.toSeconds() + " s for RDMA ports coming up to settle before reporting the "
        + "rdma topology kubelet labels the Node with: " + comingUp(found));
    long deadline = System.nanoTime() + timeout.toNanos();
    NodeNetworks now = found;
    while (now.rdmaComingUp() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(poll);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      now = scanner.get();
    }
    if (now.rdmaComingUp()) {
      LOG.log(Level.WARNING, "NodeGetInfo: RDMA ports still coming up after " + timeout.toSeconds() + " s (" + comingUp(now)
          + "), reporting no RDMA; once a port is ACTIVE for good, relabel the Node (docs/rdma.md)");
    }
    return now;
  }

  private static String comingUp(NodeNetworks networks) {
    return String.join(", ", networks.rdmaPorts().stream().filter(p -> p.state() == RdmaPort.State.COMING_UP)
        .map(p -> p.device() + " port " + p.port()).toList());
  }
}
