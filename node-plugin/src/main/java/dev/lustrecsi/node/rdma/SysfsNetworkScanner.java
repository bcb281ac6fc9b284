package dev.lustrecsi.node.rdma;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the node's RDMA ports and Ethernet interfaces in sysfs (kernel ABI
 * {@code sysfs-class-infiniband} and {@code sysfs-class-net}). The sysfs and procfs roots are
 * parameters so tests run against fixture trees.
 */
public final class SysfsNetworkScanner {
  /** ARPHRD_ETHER in /sys/class/net/IF/type. */
  private static final String ETHERNET_TYPE = "1";

  private final Path sysRoot;
  private final Path procRoot;

  public SysfsNetworkScanner(Path sysRoot, Path procRoot) {
    this.sysRoot = sysRoot;
    this.procRoot = procRoot;
  }

  public NodeNetworks scan() {
    try {
      Ipv4Addresses addresses = Ipv4Addresses.read(procRoot);
      return new NodeNetworks(rdmaPorts(addresses), ethernet(addresses));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the node's network interfaces", e);
    }
  }

  private List<RdmaPort> rdmaPorts(Ipv4Addresses addresses) throws IOException {
    List<RdmaPort> ports = new ArrayList<>();
    for (Path device : children(sysRoot.resolve("class/infiniband"))) {
      for (Path port : children(device.resolve("ports"))) {
        int number;
        try {
          number = Integer.parseInt(port.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        // state reads "4: ACTIVE" when the port can carry traffic.
        boolean active = read(port.resolve("state")).map(s -> s.endsWith("ACTIVE")).orElse(false);
        RdmaPort.LinkLayer layer = read(port.resolve("link_layer")).map(RdmaPort.LinkLayer::parse).orElse(RdmaPort.LinkLayer.UNKNOWN);
        Optional<String> netdev = netdev(device, port, number);
        ports.add(new RdmaPort(device.getFileName().toString(), number, layer, active, netdev, netdev.flatMap(addresses::of)));
      }
    }
    return ports;
  }

  /**
   * The netdev behind a port: RoCE ports name it in gid_attrs/ndevs (per port, exact); IPoIB
   * netdevs are listed under device/net, and with several ports dev_port (0-based) tells which.
   */
  private Optional<String> netdev(Path device, Path port, int number) throws IOException {
    Optional<String> fromGid;
    try {
      fromGid = read(port.resolve("gid_attrs/ndevs/0"));
    } catch (IOException e) {
      fromGid = Optional.empty(); // InfiniBand ports answer EINVAL: their GIDs have no netdev
    }
    if (fromGid.isPresent() && !fromGid.get().isEmpty()) {
      return fromGid;
    }
    List<Path> nets = children(device.resolve("device/net"));
    if (nets.size() == 1) {
      return Optional.of(nets.getFirst().getFileName().toString());
    }
    for (Path net : nets) {
      Optional<String> devPort = read(net.resolve("dev_port"));
      if (devPort.isPresent() && devPort.get().equals(Integer.toString(number - 1))) {
        return Optional.of(net.getFileName().toString());
      }
    }
    return Optional.empty();
  }

  /**
   * Ethernet interfaces that are up with an IPv4 address and belong to hardware (a device link)
   * or a bond: virtual ones (veth pairs, bridges of container networks) are not for LNet.
   */
  private List<EthernetInterface> ethernet(Ipv4Addresses addresses) throws IOException {
    List<EthernetInterface> found = new ArrayList<>();
    for (Path iface : children(sysRoot.resolve("class/net"))) {
      String name = iface.getFileName().toString();
      if (name.equals("lo") || !read(iface.resolve("type")).map(ETHERNET_TYPE::equals).orElse(false)) {
        continue;
      }
      if (!read(iface.resolve("operstate")).map("up"::equals).orElse(false)) {
        continue;
      }
      if (!Files.exists(iface.resolve("device")) && !Files.isDirectory(iface.resolve("bonding"))) {
        continue;
      }
      addresses.of(name).ifPresent(ip -> found.add(new EthernetInterface(name, ip)));
    }
    return found;
  }

  private static List<Path> children(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    }
  }

  private static Optional<String> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(Files.readString(file).strip());
  }
}
