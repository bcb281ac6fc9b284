package dev.lustrecsi.node.rdma;

import java.util.Optional;

/**
 * One port of an RDMA device as sysfs describes it.
 *
 * @param device the RDMA device (mlx5_0)
 * @param port the port number (1-based, as in sysfs)
 * @param linkLayer InfiniBand (IPoIB netdev) or Ethernet (RoCE)
 * @param active whether the port state is ACTIVE
 * @param netdev the network interface behind the port, if sysfs names one
 * @param ipv4 that interface's IPv4 address, if it has one
 */
public record RdmaPort(String device, int port, LinkLayer linkLayer, boolean active, Optional<String> netdev, Optional<String> ipv4) {
  /** The two link layers an RDMA port can have. */
  public enum LinkLayer {
    INFINIBAND,
    ETHERNET,
    UNKNOWN;

    static LinkLayer parse(String text) {
      return switch (text.strip()) {
        case "InfiniBand" -> INFINIBAND;
        case "Ethernet" -> ETHERNET;
        default -> UNKNOWN;
      };
    }
  }

  /** LNet can run o2ib on it: active, and its netdev has an IPv4 address for the NID. */
  public boolean usableForO2ib() {
    return active && linkLayer != LinkLayer.UNKNOWN && netdev.isPresent() && ipv4.isPresent();
  }

  /** Why LNet cannot use it, or empty if it can; for logs and readiness messages. */
  public Optional<String> problem() {
    String name = device + " port " + port;
    if (!active) {
      return Optional.of(name + " is not ACTIVE");
    }
    if (linkLayer == LinkLayer.UNKNOWN) {
      return Optional.of(name + " has an unknown link layer");
    }
    if (netdev.isEmpty()) {
      return Optional.of(name + " has no network interface");
    }
    if (ipv4.isEmpty()) {
      return Optional.of(name + ": interface " + netdev.get() + " has no IPv4 address");
    }
    return Optional.empty();
  }
}
