package dev.lustrecsi.node.lnet;

import dev.lustrecsi.node.rdma.RdmaPort;
import java.util.List;
import java.util.Optional;

/**
 * One local network interface of LNet, as {@code lnetctl net show} lists it.
 *
 * @param nid its NID
 * @param status "up" or "down"
 * @param interfaces the netdevs it runs on (empty for lo)
 */
public record LocalNi(Nid nid, String status, List<String> interfaces) {
  public LocalNi {
    interfaces = List.copyOf(interfaces);
  }

  public boolean up() {
    return status.equals("up");
  }

  /**
   * Why this NI cannot carry traffic, or empty when it can: LNet lists it down, or it is an o2ib NI
   * on a netdev whose RDMA port is not ACTIVE. The port is read from sysfs directly, so a dead port
   * counts whether or not LNet has marked its NI down yet.
   */
  public Optional<String> whyDead(List<RdmaPort> ports) {
    if (!up()) {
      return Optional.of(nid + " is " + (status.isEmpty() ? "not up" : status));
    }
    if (!nid.type().equals("o2ib")) {
      return Optional.empty();
    }
    return ports.stream()
        .filter(port -> !port.active() && port.netdev().isPresent() && interfaces.contains(port.netdev().get()))
        .findFirst()
        .map(port -> nid + " runs on " + port.netdev().get() + ", whose RDMA port " + port.device() + " port " + port.port() + " is not ACTIVE");
  }
}
