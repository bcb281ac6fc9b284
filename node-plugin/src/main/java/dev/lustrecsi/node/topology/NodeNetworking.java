package dev.lustrecsi.node.topology;

import dev.lustrecsi.node.lnet.LnetManager;
import dev.lustrecsi.node.lnet.LnetStatus;
import dev.lustrecsi.node.rdma.NodeNetworks;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the node knows about its networks: the RDMA ports and Ethernet interfaces found at start
 * and LNet's last status. LNet is brought up off the request threads and retried until it
 * answers, so a node whose fabric comes up late becomes ready by itself.
 */
public final class NodeNetworking {
  private static final System.Logger LOG = System.getLogger(NodeNetworking.class.getName());

  private final Supplier<NodeNetworks> scanner;
  private final Optional<LnetManager> lnet;
  private final Duration retry;
  private volatile NodeNetworks networks;
  private volatile LnetStatus status;

  /**
   * @param scanner reads the node's networks (sysfs on a real node)
   * @param lnet the LNet manager; empty where no LNet exists (the sandbox), which counts as ready
   * @param retry how long to wait before checking LNet again while it is not ready
   */
  public NodeNetworking(Supplier<NodeNetworks> scanner, Optional<LnetManager> lnet, Duration retry) {
    this.scanner = scanner;
    this.lnet = lnet;
    this.retry = retry;
    this.networks = new NodeNetworks(List.of(), List.of());
    this.status = lnet.isPresent() ? LnetStatus.UNKNOWN : new LnetStatus(List.of(), true, "");
  }

  /** No RDMA and no LNet: the sandbox, where "mounting Lustre" is a bind mount. */
  public static NodeNetworking none() {
    return new NodeNetworking(() -> new NodeNetworks(List.of(), List.of()), Optional.empty(), Duration.ofMinutes(1));
  }

  /** Scans the networks now (NodeGetInfo's topology must be right from the first call), then brings LNet up in the background. */
  public NodeNetworking start() {
    networks = scanner.get();
    LOG.log(Level.INFO, "node networks: " + networks.describe());
    lnet.ifPresent(manager -> Thread.ofVirtual().name("lnet-bring-up").start(() -> keepBringingUp(manager)));
    return this;
  }

  /** Runs LNet bring-up once, synchronously; for tests and for callers that want to wait. */
  public LnetStatus checkNow() {
    lnet.ifPresent(manager -> {
      networks = scanner.get();
      status = manager.bringUp(networks);
    });
    return status;
  }

  private void keepBringingUp(LnetManager manager) {
    while (true) {
      LnetStatus now = manager.bringUp(networks);
      status = now;
      if (now.ready()) {
        LOG.log(Level.INFO, "LNet ready: " + now.nids());
        return;
      }
      LOG.log(Level.WARNING, "LNet not ready, checking again in " + retry.toSeconds() + " s: " + now.reason());
      try {
        Thread.sleep(retry);
      } catch (InterruptedException e) {
        return;
      }
      networks = scanner.get();
    }
  }

  /** Whether this node has a usable RDMA port: the topology segment's value. */
  public boolean rdma() {
    return networks.hasRdma();
  }

  public NodeNetworks networks() {
    return networks;
  }

  public LnetStatus lnet() {
    return status;
  }
}
